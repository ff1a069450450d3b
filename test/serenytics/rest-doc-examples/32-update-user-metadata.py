# serenytics-rest-api.txt lines 1152-1174, verbatim
import json
import requests

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

# Get the user
route1 = 'https://api.serenytics.com/api/user/byname'
r1 = requests.get(route1, headers=headers, params={'username':'john@doe.com'})
print(r1.status_code)

# Modify its metadata
if r1.status_code == 200:
    user_uuid = r1.json()["uuid"]
    route2 = 'https://api.serenytics.com/api/user/' + user_uuid
    new_params = {
        "login_metadata": {"business_unit": "france"}
    }
    r2 = requests.put(route2, headers=headers, data=json.dumps(new_params))
    print(r2.status_code)
    print(r2.json())
