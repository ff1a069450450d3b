# serenytics-rest-api.txt lines 1188-1198, verbatim
import requests

route = "https://api.serenytics.com/api/user/%s" % USER_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.delete(route, headers=headers)
print(r.status_code)
