# serenytics-python-client.txt lines 991-1003
import serenytics
client = serenytics.Client()

webapp = client.get_webapps()[0]

CSS = """
.srn-widget-header {
    background-color: grey;
    color: #e19500;
}
"""
webapp.set_custom_css(CSS)
webapp.save()
