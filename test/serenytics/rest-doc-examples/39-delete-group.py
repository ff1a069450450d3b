# serenytics-rest-api.txt lines 1359-1368, verbatim
import requests

route = "https://api.serenytics.com/api/usersgroup/%s" % USERSGROUP_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.delete(route, headers=headers)
