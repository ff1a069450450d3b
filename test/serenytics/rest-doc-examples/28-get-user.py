# serenytics-rest-api.txt lines 1042-1053, verbatim
import requests

route = "https://api.serenytics.com/api/user/93251f96-acbb-4bb7-b101-ca628c5c21b8"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
print(r.status_code)
print(r.json())
