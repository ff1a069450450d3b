# serenytics-rest-api.txt lines 1019-1032, verbatim
import requests

route = "https://api.serenytics.com/api/user"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
if r.status_code == 200:
    users = r.json()["objects"]
    for user in users:
        print(f'{user["username"]} --> {user["category"]}')
