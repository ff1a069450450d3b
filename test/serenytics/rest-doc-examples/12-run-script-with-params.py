# serenytics-rest-api.txt lines 471-487, verbatim
import json
import requests

route = "https://api.serenytics.com/api/script/%s/run" % YOUR_SCRIPT_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

data = {
    "param1": 120,
    "param2": {'quarter': 2}
}

r = requests.post(route, data=json.dumps(data), headers=headers)
# note : use client.script_args in the Serenytics script to retrieve this data
