# serenytics-rest-api.txt lines 1132-1148, verbatim
import requests
import json

route = "https://api.serenytics.com/api/user/93251f96-acbb-4bb7-b101-ca628c5c21b8"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

new_params = {
    "category": "studio",
    "login_metadata": {"business_unit": "france"}
}
r = requests.put(route, headers=headers, data=json.dumps(new_params))
print(r.status_code)
print(r.json())
