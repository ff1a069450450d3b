# serenytics-python-client.txt lines 226-230
import serenytics
client = serenytics.Client()

params = client.script_args
param1 = params.get('my_param1')
