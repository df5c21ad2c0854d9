"""Checks a folder SMART Fetch exported: each type's NDJSON lines (over its numbered files) are
exactly what the server's search finds, with the export's _typeFilter and Group applied."""

import collections
import json
import pathlib
import sys
import urllib.parse
import urllib.request

base, token_file, folder, group = sys.argv[1:5]
token = pathlib.Path(token_file).read_text()
folder = pathlib.Path(folder)


def total(resource_type, criteria):
    query = urllib.parse.urlencode(criteria + [("_count", "0")])
    request = urllib.request.Request(
        f"{base}/{resource_type}?{query}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["total"]


kickoff = next(
    event
    for event in map(json.loads, (folder / "log.ndjson").read_text().splitlines())
    if event["eventId"] == "kickoff"
)
parameters = kickoff["eventDetail"]["requestParameters"]
filters = {}
for type_filter in filter(None, parameters.get("_typeFilter", "").split(",")):
    resource_type, query = type_filter.split("?", 1)
    filters[resource_type] = urllib.parse.parse_qsl(query)

lines = collections.Counter()
ids = collections.defaultdict(set)
for path in folder.glob("*.ndjson"):
    if path.name == "log.ndjson":
        continue
    for line in path.read_text().splitlines():
        resource = json.loads(line)
        lines[resource["resourceType"]] += 1
        ids[resource["resourceType"]].add(resource["id"])

assert lines, f"nothing exported into {folder}"
for resource_type in parameters["_type"].split(","):
    criteria = list(filters.get(resource_type, []))
    if group:
        members = "_has:Group:member:_id" if resource_type == "Patient" else "patient._has:Group:member:_id"
        criteria.append((members, group))
    expected = total(resource_type, criteria)
    assert lines[resource_type] == expected == len(ids[resource_type]), (
        f"{folder.name}: {resource_type} has {lines[resource_type]} lines "
        f"({len(ids[resource_type])} ids), the server finds {expected}"
    )
    print(f"{folder.name}: {resource_type} {expected}")
