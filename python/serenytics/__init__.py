"""The `serenytics` client, shipped with Rosetta (standard library only).

Written from the Serenytics client documentation so that its examples run unchanged inside
Rosetta scripts and on a user's machine. The base URL comes from SERENYTICS_API_DOMAIN (for
Rosetta: http://HOST:PORT/serenytics), the key from the constructor or SERENYTICS_API_KEY; inside
a Rosetta script run, ROSETTA_API_URL, ROSETTA_API_KEY and ROSETTA_SCRIPT_ARGS stand in for them.
Methods returning pandas objects need pandas and say so when it is missing.
"""

import base64
import datetime
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = ['Client', 'DataSource', 'Data', 'Script', 'WebApp', 'SerenyticsException']


class SerenyticsException(Exception):
    pass


def _pandas():
    try:
        import pandas  # noqa: PLC0415 - optional dependency
    except ImportError as error:
        raise SerenyticsException('this method returns a pandas DataFrame: install pandas to use it') from error
    return pandas


class Client:
    def __init__(self, api_key=None, script_id=None, script_args=None):
        self._api_key = api_key or os.environ.get('SERENYTICS_API_KEY') or os.environ.get('ROSETTA_API_KEY')
        if not self._api_key:
            raise SerenyticsException('no API key: pass api_key or set SERENYTICS_API_KEY')
        self._base = (os.environ.get('SERENYTICS_API_DOMAIN') or os.environ.get('ROSETTA_API_URL') or 'https://api.serenytics.com').rstrip('/')
        if script_args is None:
            script_args = json.loads((os.environ.get('SERENYTICS_SCRIPT_ARGS') or os.environ.get('ROSETTA_SCRIPT_ARGS')) or '{}')
        self.script_args = script_args
        self._script_uuid = script_id or os.environ.get('SERENYTICS_SCRIPT_UUID') or os.environ.get('ROSETTA_SCRIPT_UUID')

    # --- HTTP -----------------------------------------------------------------------------
    def _request(self, method, path, body=None, params=None, raw=None, content_type='application/json'):
        url = self._base + path
        if params:
            url += '?' + urllib.parse.urlencode(params)
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode('utf-8'))
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header('X-Api-Key', self._api_key)
        request.add_header('Content-type', content_type)
        try:
            with urllib.request.urlopen(request) as response:
                status, text = response.status, response.read().decode('utf-8')
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode('utf-8', 'replace')
        payload = json.loads(text) if text else None
        if status == 401:
            raise SerenyticsException('invalid API key')
        if status >= 400:
            errors = (payload or {}).get('errors') if isinstance(payload, dict) else None
            raise SerenyticsException(errors[0] if errors else 'HTTP %d on %s %s' % (status, method, path))
        return status, payload

    def _get(self, path, params=None):
        return self._request('GET', path, params=params)[1]

    def _post(self, path, body=None):
        return self._request('POST', path, body)[1]

    def _wait_for_task(self, answer):
        task_id = (answer or {}).get('task_id')
        if not task_id:
            return answer
        while True:
            result = self._get('/api/task/%s' % task_id)
            if result.get('status') != 'pending':
                if result.get('errors'):
                    raise SerenyticsException(result['errors'][0])
                return result
            time.sleep(1)

    @staticmethod
    def _by_name(name):
        return {'q': json.dumps({'filters': [{'name': 'name', 'op': 'eq', 'val': name}]})}

    # --- data sources ---------------------------------------------------------------------
    def get_data_sources(self):
        return [DataSource(self, config) for config in self._get('/api/data_source')['objects']]

    def get_data_source_by_uuid(self, uuid):
        return DataSource(self, self._get('/api/data_source/%s' % uuid))

    def get_data_source_by_name(self, name):
        objects = self._get('/api/data_source', self._by_name(name))['objects']
        if not objects:
            raise SerenyticsException('data source "%s" not found' % name)
        return DataSource(self, objects[0])

    def get_or_create_storage_data_source_by_name(self, name):
        objects = self._get('/api/data_source', self._by_name(name))['objects']
        if objects:
            return DataSource(self, objects[0])
        status, config = self._request('POST', '/api/data_source', {'name': name, 'type': 'Storage', 'jsonContent': {}})
        return DataSource(self, config)

    # --- scripts ----------------------------------------------------------------------------
    def get_script_by_uuid(self, uuid):
        return Script(self, self._get('/api/script/%s' % uuid))

    def get_script_by_name(self, name):
        objects = self._get('/api/script', self._by_name(name))['objects']
        if not objects:
            raise SerenyticsException('script "%s" not found' % name)
        return Script(self, objects[0])

    def store_script_data(self, data):
        self._require_script()
        self._request('PUT', '/api/script/%s/storage' % self._script_uuid, _tag_datetimes(data))

    def retrieve_script_data(self):
        self._require_script()
        return _untag_datetimes(self._get('/api/script/%s/storage' % self._script_uuid))

    def _require_script(self):
        if not self._script_uuid:
            raise SerenyticsException('script data needs the script: pass script_id to Client() or run inside a script')

    def send_email(self, subject, recipients, html, web_app_uuid=None, pdf_file_name=None, file_to_attach=None, dashboard_payload=None):
        body = {'subject': subject, 'recipients': recipients, 'html': html, 'web_app_uuid': web_app_uuid,
                'pdf_file_name': pdf_file_name, 'dashboard_payload': dashboard_payload}
        if file_to_attach is not None:
            # The vendor's client asks for a signed S3 URL first; Rosetta takes the bytes itself.
            upload_uuid = str(uuid.uuid4())
            with open(file_to_attach, 'rb') as file:
                self._request('POST', '/api/upload_file/%s' % upload_uuid, raw=file.read(), content_type='application/octet-stream')
            body['file_to_attach_uuid'] = upload_uuid
            body['file_to_attach_name'] = os.path.basename(file_to_attach)
        return self._wait_for_task(self._post('/api/email', body))

    # --- web apps ---------------------------------------------------------------------------
    def get_webapps(self):
        return [WebApp(self, config) for config in self._get('/api/web_app')['objects']]

    def get_webapp_by_uuid(self, uuid):
        return WebApp(self, self._get('/api/web_app/%s' % uuid))


def _tag_datetimes(value):
    """JSON has no dates: the vendor's client stores them as {"__type__": "datetime", "value": iso}."""
    if isinstance(value, datetime.datetime):
        return {'__type__': 'datetime', 'value': value.isoformat()}
    if isinstance(value, dict):
        return {key: _tag_datetimes(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_tag_datetimes(item) for item in value]
    return value


def _untag_datetimes(value):
    if isinstance(value, dict):
        if value.get('__type__') == 'datetime' and isinstance(value.get('value'), str):
            return datetime.datetime.fromisoformat(value['value'])
        return {key: _untag_datetimes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_untag_datetimes(item) for item in value]
    return value


class Data:
    def __init__(self, headers, rows):
        self.headers = headers
        self.columns = [header['name'] for header in headers]
        self.rows = rows

    def get_as_dataframe(self):
        return _pandas().DataFrame(self.rows, columns=self.columns)


class DataSource:
    def __init__(self, client, config):
        self._client = client
        self._config = config

    uuid = property(lambda self: self._config['uuid'])
    name = property(lambda self: self._config['name'])
    type = property(lambda self: self._config.get('type'))

    def _route(self, suffix=''):
        return '/api/data_source/%s%s' % (self.uuid, suffix)

    def _query(self, options):
        answer = self._client._post('/api/formatted_data/%s' % self.uuid, options)
        if answer.get('status') != 'ok':
            raise SerenyticsException((answer.get('errors') or ['query failed'])[0])
        return answer

    def get_data(self, options=None):
        if options is None:
            headers = self._query({'only_headers': True})['columns_titles']
            options = {'order': 'row_by_row', 'data_processing_pipeline': [{'select': [h['name'] for h in headers]}]}
        answer = self._query(options)
        return Data(answer['columns_titles'], answer.get('data', []))

    def get_nb_rows(self):
        options = {'order': 'row_by_row', 'data_processing_pipeline': [{'select': [{'name': '$$count$$', 'agg_function': 'sum'}]}]}
        try:
            return self._query(options)['data'][0][0]
        except SerenyticsException as error:
            if 'Storage source is empty' in str(error):
                return 0
            raise

    def batch(self, rows_to_insert=None, rows_to_insert_or_update=None, rows_to_delete=None, primary_key=None, async_=False, **kwargs):
        wait = not kwargs.get('async', async_)
        operations = []
        if rows_to_insert:
            operations.append({'action': 'insert', 'rows': rows_to_insert})
        if rows_to_insert_or_update:
            operations.append({'action': 'insertOrUpdate', 'primaryKey': primary_key, 'rows': rows_to_insert_or_update})
        if rows_to_delete:
            operations.append({'action': 'delete', 'primaryKey': primary_key, 'rows': rows_to_delete})
        answer = self._client._post(self._route('/batch'), {'async': not wait, 'operations': operations})
        return answer

    def push_data(self, data):
        self._client._post(self._route('/push/%s' % self._config['token']), data)

    def reload_data(self, new_data):
        self._client._post(self._route('/reload'), new_data)

    def reload_data_from_array(self, columns, rows):
        self.reload_data([dict(zip(columns, row)) for row in rows])

    def reload_data_from_dataframe(self, df):
        _pandas()
        self.reload_data(json.loads(df.to_json(orient='records', date_format='iso')))

    def _upload(self, filename, separator, force_types=None):
        content = dict(self._config.get('jsonContent') or {})
        content['separator'] = separator
        content['advanced_options'] = json.dumps({'force_types': force_types or {}})
        self._config['jsonContent'] = content
        self._config['originalFileName'] = os.path.basename(filename)
        self.save()
        with open(filename, 'rb') as file:
            raw = file.read()
        self._client._request('POST', self._route('/file'), raw=raw, content_type='application/octet-stream')

    def reload_data_from_file(self, filename, separator=',', force_types=None):
        self._upload(filename, separator, force_types)
        self._client._wait_for_task(self._client._post(self._route('/reload_from_file'), {'async': True}))

    def update_data_from_file(self, filename, primary_key, separator=','):
        self._upload(filename, separator)
        body = {'primary_key': primary_key, 'async': True}
        self._client._wait_for_task(self._client._post(self._route('/update_from_file'), body))

    def invalidate_cache(self):
        self._client._post(self._route('/invalidate_cache'))

    def reload_users_metadata(self):
        self._client._post(self._route('/reload_users_metadata'))

    def get_dataset(self):
        answer = self._client._post(self._route('/export_source_data'), {'export_format': 'csv'})
        return _pandas().read_csv(answer['csv_url'])

    def set_property(self, property_name, property_value):
        self._config.setdefault('jsonContent', {})[property_name] = property_value

    def save(self):
        self._config = self._client._request('PUT', self._route(), self._config)[1]


class Script:
    def __init__(self, client, config):
        self._client = client
        self._config = config

    uuid = property(lambda self: self._config['uuid'])
    name = property(lambda self: self._config['name'])

    def run(self, params=None, async_=True, **kwargs):
        wait = not kwargs.get('async', async_)
        body = dict(params or {})
        body['async'] = True
        self._client._post('/api/script/%s/run' % self.uuid, body)
        if not wait:
            return None
        while self._client._get('/api/script/%s/state' % self.uuid)['running']:
            time.sleep(1)
        last = self._client._get('/api/script/%s/logs' % self.uuid)['objects'][0]
        if last['status'] != 'SUCCESS':
            raise SerenyticsException('script failed: %s' % last['stderr'])
        return last


class WebApp:
    def __init__(self, client, config):
        self._client = client
        self._config = config

    uuid = property(lambda self: self._config['uuid'])
    name = property(lambda self: self._config['name'])

    @property
    def folder_name(self):
        folder_uuid = self._config.get('folder_uuid')
        if folder_uuid is None:
            return None
        folders = self._client._get('/api/folder')['objects']
        return next((folder['name'] for folder in folders if folder['uuid'] == folder_uuid), None)

    def set_custom_css(self, css):
        self._config.setdefault('jsonContent', {})['cssContent'] = css

    def set_custom_html_header(self, html):
        content = self._config.setdefault('jsonContent', {})
        content['headerMode'] = 'custom'
        content['htmlHeader'] = html

    def save(self):
        self._config = self._client._request('PUT', '/api/web_app/%s' % self.uuid, self._config)[1]

    def share_with_user(self, login):
        self._client._post('/api/web_app/%s/sharings' % self.uuid, {'username_to_share_with': login})

    def warm_up_cache(self, payload=None):
        query_string = None
        if payload is not None:
            encoded = base64.b64encode(json.dumps(payload).encode('utf-8')).decode('ascii')
            query_string = {'embeddedPayload': encoded}
        answer = self._client._post('/api/web_app/%s/generate_pdf' % self.uuid, {'store_pdf': False, 'webapp_query_string': query_string})
        return self._client._wait_for_task(answer)

    def get_list_of_data_sources(self):
        return self._client._get('/api/web_app/%s/data_sources' % self.uuid)['objects']
