# serenytics-rest-api.txt lines 882-903, verbatim
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
            'select': [
                {"name": "Country"},
                {"name": "MyFormula", "measureUuid": "697c7a7d0ffd5254"}]
        }]
    }
r = requests.post(route, headers=headers, data=json.dumps(data))

print(r.json())
