# serenytics-rest-api.txt lines 192-204, verbatim
import requests

route = "https://api.serenytics.com/api/web_app/%s" % YOUR_WEB_APP_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
if r.status_code == 200:
    web_app = r.json()
    print(web_app["name"])
