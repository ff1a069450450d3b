# serenytics-rest-api.txt lines 226-253, verbatim
import requests
import json

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

route = "https://api.serenytics.com/api/web_app/%s" % YOUR_WEB_APP_UUID

# get the webapp
r = requests.get(route, headers=headers)
if r.status_code != 200:
    print('Failed to get dashboard')
    exit(1)

web_app = r.json()

# modify the local object
web_app["name"] = "My New Name"


# save the modified object
r = requests.put(route, headers=headers, data=json.dumps(web_app))
if r.status_code != 200:
    print('Failed to update dashboard')
    exit(1)
print(r.json()["name"])
