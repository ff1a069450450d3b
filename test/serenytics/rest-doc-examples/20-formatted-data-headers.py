# serenytics-rest-api.txt lines 787-803, verbatim
import requests

SOURCE_UUID = 'YOUR_SOURCE_UUID'

route = 'https://api.serenytics.com/api/formatted_data/' + SOURCE_UUID

headers = {
    'X-Api-Key': 'YOUR_API_KEY',
    'Content-type': 'application/json'
}

data = {
    "only_headers": "true"
}
r = requests.post(route, headers=headers, data=json.dumps(data))

print(r.json())
