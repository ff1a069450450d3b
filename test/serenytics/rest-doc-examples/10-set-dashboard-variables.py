# serenytics-rest-api.txt lines 413-434, verbatim
import requests
import json

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

url = 'https://api.serenytics.com/api/web_app/' + DASH_UUID + '/dashboard_variables'

payload = {
    'dashboard_variables' : {
        'date_of_data': '2022-06-24',
        'business_unit': 'UK'
    }
}

r = requests.post(url,data=json.dumps(payload), headers=headers)


if r.status_code != 201:
    print("Failed to set the new variables")
