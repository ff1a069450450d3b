# serenytics-rest-api.txt lines 958-971, verbatim
import requests

route = "https://api.serenytics.com/api/folder"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
if r.status_code == 200:
    folders = r.json()["objects"]
    for f in folders:
        print(f["name"], "--> ", f["resource_type"])
