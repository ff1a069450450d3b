# serenytics-python-client.txt lines 342-350
import serenytics
client = serenytics.Client(script_id='YOUR_SCRIPT_ID')


data = {
  "last_execution": datetime.datetime.now()
}

client.store_script_data(data=data)
