# serenytics-rest-api.txt lines 271-281, verbatim
import requests

route = "https://api.serenytics.com/api/web_app/%s" % YOUR_WEB_APP_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.delete(route, headers=headers)
print(r.status_code)
