# serenytics-rest-api.txt lines 345-361, verbatim
import json
import requests

route = "https://api.serenytics.com/api/web_app/%s/embed" % YOUR_WEB_APP_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

data = {
    "expire_in": 86400,  # 24 hours
    "payload": {'quarter': 'Q2'},
    "nb_max_embed": 1
}

r = requests.post(route, data=json.dumps(data), headers=headers)
