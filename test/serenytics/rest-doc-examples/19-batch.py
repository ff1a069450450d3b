# serenytics-rest-api.txt lines 697-735, verbatim
import json
import requests

route = "https://api.serenytics.com/api/data_source/%s/batch" % YOUR_DATA_SOURCE_UUID

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

data = {
   "async_": True,
   "operations": [
       {
           "action": "insert",
           "rows": [
               {'id': 1, 'country': 'FR', 'name': 'John', 'quantity': 10},
               {'id': 2, 'country': 'US', 'name': 'Mark', 'quantity': 2},
               {'id': 3, 'country': 'UK', 'name': 'John', 'quantity': 1},
               {'id': 4, 'country': 'US', 'name': 'David', 'quantity': 8}
           ]
       },
       {
           "action": "insertOrUpdate",
           "primaryKey": "id",
           "rows": [
               {'id': 1, 'country': 'FR', 'name': 'John', 'quantity': 50},
               {'id': 5, 'country': 'US', 'name': 'Peter', 'quantity': 13}
           ]
       },
       {
           "action": "delete",
           "primaryKey": "id",
           "rows": [2, 4]
       }
   ]
}

r = requests.post(route, headers=headers, data=json.dumps(data))
