# serenytics-rest-api.txt lines 1260-1271, verbatim
import requests

route = "https://api.serenytics.com/api/usersgroup/byname"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers, params={'name':'marketing team'})
print(r.status_code)
print(r.json())
