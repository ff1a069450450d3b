# serenytics-python-client.txt lines 1035-1054
import serenytics
client = serenytics.Client()

webapp = client.get_webapps()[0]

HTML = """
<div style="overflow:hidden">
  <div style="float:left">
      <h1 style="padding: 20px; margin: 0px;">Serenytics</h1>
  </div>

  <div style="float:right">
      <a href="http://www.serenytics.com" target="_blank">
      <img style="padding:20px;" src="https://www.serenytics.com/images_srn/logo_txt.png" width=200px>
      </a>
  </div>
</div>
"""
webapp.set_custom_html_header(HTML)
webapp.save()
