# serenytics-python-client.txt lines 260-268
import serenytics
client = serenytics.Client()

subject = "Here is your weekly report"
recipients= ['contact@serenytics.com']
html = "Hello,<br> please open the attachment to get your PDF report."
web_app_uuid = 'WEB_APP_UUID'

client.send_email(subject=subject, recipients=recipients, html=html, web_app_uuid=web_app_uuid)
