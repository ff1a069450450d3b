# serenytics-rest-api.txt lines 1235-1250, verbatim
import requests

route = "https://api.serenytics.com/api/usersgroup/8dee7842-3596-494b-8fa6-c81c50e9574d"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
print(r.status_code)
print(r.json())

users = r.json()["objects"]
for u in users:
    print(u["username"])
