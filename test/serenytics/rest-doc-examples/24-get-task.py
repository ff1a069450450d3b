# serenytics-rest-api.txt lines 921-931, verbatim
import json
import requests

route = "https://api.serenytics.com/api/task/%s" % YOUR_TASK_ID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
