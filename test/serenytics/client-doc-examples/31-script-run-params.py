# serenytics-python-client.txt lines 934-943
import serenytics
client = serenytics.Client()

script = client.get_script_by_uuid(uuid='MY_SCRIPT_UUID')

params = {
  'business_unit': 'BU1',
  'country': 'US'
}
script.run(params=params, async=False)
