# serenytics-rest-api.txt lines 1063-1074, verbatim
import requests

route = "https://api.serenytics.com/api/user/byname"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers, params={'username':'john@doe.com'})
print(r.status_code)
print(r.json())
