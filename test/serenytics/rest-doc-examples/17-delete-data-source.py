# serenytics-rest-api.txt lines 640-650, verbatim
import requests

route = "https://api.serenytics.com/api/data_source/%s" % YOUR_DATA_SOURCE_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.delete(route, headers=headers)
print(r.status_code)
