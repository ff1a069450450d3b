# serenytics-rest-api.txt lines 78-153, verbatim
YOUR_API_KEY= "xxxxxxx"

import requests
import os
from pprint import pprint

DESTINATION_FOLDER = f"./serenytics_backup"

headers = {
    'X-Api-Key': YOUR_API_KEY,
    'Content-type': 'application/json'
}

def get_obj_from_route(obj_name:str):
    route = f"https://api.serenytics.com/api/{obj_name}"

    r = requests.get(route, headers=headers)
    if r.status_code == 200:
        objects = r.json()["objects"]
    else:
        print(f"Failed to get {obj_name}")
        exit(1)

    return objects


def get_folders():
    route = "https://api.serenytics.com/api/folder"

    r = requests.get(route, headers=headers)
    if r.status_code == 200:
        folders = r.json()["objects"]
    else:
        print("Failed to get jobs")
        exit(1)

    return folders



def backup_objects(object_name:str):
    objects = get_obj_from_route(object_name)

    print(f"Backup {object_name}s")
    folders = get_folders()
    folders = {f["uuid"]: f for f in folders}

    for obj in objects:
        folder_uuid = obj["folder_uuid"]
        folder = folders.get(folder_uuid)

        local_folder = f"{DESTINATION_FOLDER}/{object_name}s/{folder['name']}"
        if not os.path.exists(local_folder):
            print(f"Create folder {local_folder}")
            os.makedirs(local_folder)

        # extract code field as it must be written in another file.
        code = obj.get("code")
        if "code" in obj:
            del obj["code"]

        filename = obj['name'].replace('/','_')
        local_file = f"{local_folder}/{filename}.json"
        with open(local_file, 'w') as file:
            pprint(obj, stream=file)

        if code:
            local_file = f"{local_folder}/{filename}.py"
            with open(local_file, 'w') as file:
                file.write(code)

    print("done")


backup_objects("script")
backup_objects("data_source")
