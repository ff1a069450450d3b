# serenytics-rest-api.txt lines 990-1007, verbatim
import requests
import json

route = "https://api.serenytics.com/api/folder"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

data = {
   "name": "My new folder",
   "resource_type": "datasource"
   }

r = requests.post(route, headers=headers, data=json.dumps(data))
if r.status_code == 201:
    print(r.json())
