"""The example interview as ODK Collect sends it (docs/openrosa.md): writes the multipart body
with its XForm instance in the part xml_submission_file to BODY, and prints its Content-Type.
    python3 bench/instance_xml.py SUBMISSION.json BODY"""
import json
import sys
from xml.sax.saxutils import escape


def answer(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, list):
        return " ".join(v)
    return str(v)


def instance(s):
    x = ['<?xml version="1.0"?><data id="%s" version="%d">' % (s["survey_id"], s["survey_version"]),
         # meta first (Collect writes it last; the order costs nothing to parse), so that the
         # instanceID comes before the institutions, the order bench/ingest.lua cuts them in.
         "<meta><instanceID>uuid:%s</instanceID></meta>" % s["instance_id"],
         "<start>%s</start><end>%s</end><deviceid>%s</deviceid><household>" % (
             s["started_at"], s["completed_at"], s["device_id"])]
    x += ["<%s>%s</%s>" % (k, escape(answer(v)), k) for k, v in s["household"].items()]
    x.append("</household>")
    for e in s["evaluations"]:
        x.append("<evaluation><institution_id>%s</institution_id>" % e["institution_id"])
        x += ["<%s>%s</%s>" % (k, escape(answer(v)), k) for k, v in e["answers"].items()]
        x.append("</evaluation>")
    x.append("</data>")
    return "".join(x)


boundary = "percept-bench-boundary"
xml = instance(json.load(open(sys.argv[1], encoding="utf-8")))
body = ("--%s\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; "
        "filename=\"submission.xml\"\r\nContent-Type: text/xml\r\n\r\n%s\r\n--%s--\r\n") % (
            boundary, xml, boundary)
open(sys.argv[2], "w", encoding="utf-8", newline="").write(body)
print("multipart/form-data; boundary=" + boundary)
