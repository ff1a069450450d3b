# serenytics-rest-api.txt lines 847-870, verbatim
import requests

SOURCE_UUID = 'YOUR_SOURCE_UUID'

route = 'https://api.serenytics.com/api/formatted_data/' + SOURCE_UUID

headers = {
    'X-Api-Key': 'YOUR_API_KEY',
    'Content-type': 'application/json'
}

data = {
        'order': 'row_by_row',
        'data_processing_pipeline': [{
            'group_by': ['Country'],
            'select': [{'name': 'Country'},
                       {'name': 'Quantity', 'agg_function': 'sum'}],
            'where': [{'name': 'Price', 'op': '>', 'value': '20'}],
            'limit': 100,
        }]
    }
r = requests.post(route, headers=headers, data=json.dumps(data))

print(r.json())
