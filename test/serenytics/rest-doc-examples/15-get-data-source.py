# serenytics-rest-api.txt lines 561-573, verbatim
import requests

route = "https://api.serenytics.com/api/data_source/%s" % YOUR_DATA_SOURCE_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
if r.status_code == 200:
    data_source = r.json()
    print(data_source["name"])
