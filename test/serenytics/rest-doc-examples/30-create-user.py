# serenytics-rest-api.txt lines 1096-1114, verbatim
import requests
import json

route = "https://api.serenytics.com/api/user"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

data = {
   "username": "john@doe.com",
   "password": "myStrongPassword",
   "category": "viewer"
   }

r = requests.post(route, headers=headers, data=json.dumps(data))
print(r.status_code)
print(r.json())
