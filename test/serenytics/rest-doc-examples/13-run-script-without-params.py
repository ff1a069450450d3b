# serenytics-rest-api.txt lines 491-501, verbatim
import json
import requests

route = "https://api.serenytics.com/api/script/%s/run" % YOUR_SCRIPT_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.post(route, headers=headers)
