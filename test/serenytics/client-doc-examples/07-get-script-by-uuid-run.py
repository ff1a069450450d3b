# serenytics-python-client.txt lines 143-147
import serenytics
client = serenytics.Client()

script = client.get_script_by_uuid(uuid='MY_SCRIPT_UUID')
script.run(async=False)
