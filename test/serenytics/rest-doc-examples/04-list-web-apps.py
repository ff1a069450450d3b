# serenytics-rest-api.txt lines 161-174, verbatim
import requests
route = "https://api.serenytics.com/api/web_app"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
if r.status_code == 200:
    web_apps = r.json()
    print(web_apps)
else:
    print("Failed to get web_apps")
