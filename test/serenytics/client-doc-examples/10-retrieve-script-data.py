# serenytics-python-client.txt lines 203-206
import serenytics
client = serenytics.Client(script_id='YOUR_SCRIPT_ID')

data = client.retrieve_script_data()
