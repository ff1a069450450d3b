# serenytics-python-client.txt lines 28-28
client = serenytics.Client(api_key='YOUR_API_KEY')
