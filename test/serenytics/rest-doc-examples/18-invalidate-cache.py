# serenytics-rest-api.txt lines 664-673, verbatim
import requests

route = "https://api.serenytics.com/api/data_source/%s/invalidate_cache" % YOUR_DATA_SOURCE_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.post(route, headers=headers)
