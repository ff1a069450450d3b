# serenytics-rest-api.txt lines 530-543, verbatim
import requests
route = "https://api.serenytics.com/api/data_source"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
if r.status_code == 200:
    data_sources = r.json()
    print(data_sources)
else:
    print("Failed to get data_sources")
