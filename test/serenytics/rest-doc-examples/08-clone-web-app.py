# serenytics-rest-api.txt lines 295-311, verbatim
import requests
import json

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

route = "https://api.serenytics.com/api/web_app/%s/clone" % YOUR_WEB_APP_UUID

# get the webapp
r = requests.post(route, headers=headers)
if r.status_code != 200:
    print('Failed to clone dashboard')
    exit(1)

cloned_web_app = r.json()
