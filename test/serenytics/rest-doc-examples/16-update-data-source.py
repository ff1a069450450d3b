# serenytics-rest-api.txt lines 595-622, verbatim
import requests
import json

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

route = "https://api.serenytics.com/api/data_source/%s" % YOUR_DATA_SOURCE_UUID

# get the data_source
r = requests.get(route, headers=headers)
if r.status_code != 200:
    print('Failed to get the data source')
    exit(1)

data_source = r.json()

# modify the local object
data_source["name"] = "My New Name"


# save the modified object
r = requests.put(route, headers=headers, data=json.dumps(data_source))
if r.status_code != 200:
    print('Failed to update data_source')
    exit(1)
print(r.json()["name"])
