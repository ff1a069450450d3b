# serenytics-rest-api.txt lines 442-455, verbatim
import requests
route = "https://api.serenytics.com/api/script"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

r = requests.get(route, headers=headers)
if r.status_code == 200:
    jobs = r.json()
    print(jobs)
else:
    print("Failed to get jobs")
