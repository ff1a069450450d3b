# serenytics-rest-api.txt lines 1288-1308, verbatim
import requests
import json

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

# get the group object from its name
route1 = "https://api.serenytics.com/api/usersgroup/byname"

r1 = requests.get(route, headers=headers, params={'name':'marketing team'})
print(r1.status_code)
print(r1.json())
group_uuid = r1.json()["uuid"]

# add the user to the group
route2 = "https://api.serenytics.com/api/usersgroup/" + group_uuid + "/adduser"
r2 = requests.post(route2, headers=headers, data=json.dumps({'username_to_add': 'john@doe.com'}))
print(r2.status_code)
print(r2.json())
