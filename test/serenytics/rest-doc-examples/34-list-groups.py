# serenytics-rest-api.txt lines 1212-1225, verbatim
import requests

route = "https://api.serenytics.com/api/usersgroup"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
if r.status_code == 200:
    groups = r.json()["objects"]
    for g in groups:
        print(g["name"])
