#!/usr/bin/env python3
"""Issue 21's changes to http/openapi.json, as a script that can be run again.

Run from the repository: python3 http/openapi_issue21.py
It is idempotent: running it twice leaves the document as one run did. It
keeps the document's key order and writes it back indented by 2, as it was.

What it does:
- renames the schema Client to ChatClient (oapi-codegen's Go client has a
  type Client of its own);
- replaces every "default" response: API operations document "500"
  instead, the health, metrics and document routes nothing (they do not
  fail); operations with a path parameter document 404;
- adds the webhook routes of issue 21 (deliveries paged with pending ones,
  a chat's deliveries, resend, test, the server-wide signing keys), the
  connect config's webhook_secret, /api/v1/openapi.yaml;
- adds links from each create to the get, update and delete of what it
  created, and from the connect to its chat.
"""
import json
import os
import sys

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.json")


def ref(kind, name):
    return {"$ref": "#/components/%s/%s" % (kind, name)}


def rename_refs(node, old, new):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and v == old:
                node[k] = new
            else:
                rename_refs(v, old, new)
    elif isinstance(node, list):
        for v in node:
            rename_refs(v, old, new)


def errors(*codes):
    names = {"400": "BadJSON", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
             "409": "Conflict", "413": "TooLarge", "422": "Invalid", "500": "Internal"}
    return {c: ref("responses", names[c]) for c in codes}


def json_body(schema_ref, required=True):
    return {"required": required, "content": {"application/json": {"schema": schema_ref}}}


def answer(description, schema_ref):
    return {"description": description, "content": {"application/json": {"schema": schema_ref}}}


def main():
    with open(PATH) as f:
        doc = json.load(f)
    paths, comps = doc["paths"], doc["components"]
    schemas, params = comps["schemas"], comps["parameters"]

    # 1. Client -> ChatClient.
    if "Client" in schemas:
        schemas["ChatClient"] = schemas.pop("Client")
        rename_refs(doc, "#/components/schemas/Client", "#/components/schemas/ChatClient")

    # 2. New schemas and parameters.
    params["delivery_id"] = {"name": "delivery_id", "in": "path", "required": True,
                             "schema": {"type": "integer", "format": "int64", "minimum": 1}}
    params["deliveryStatus"] = {"name": "status", "in": "query", "description": "pending: only the deliveries not yet done.",
                                "schema": {"type": "string", "enum": ["all", "pending"], "default": "all"}}
    params["deliveryCursor"] = {"name": "cursor", "in": "query", "description": "The next_cursor of the previous page.",
                                "schema": {"type": "string", "pattern": "^[1-9][0-9]*$"}}
    schemas["Delivery"] = {
        "type": "object",
        "description": "One event to deliver to one target: a subscription (webhook_id) or a chat's event_webhook_url "
                       "(webhook_id absent). event_id 0 is a test event.",
        "required": ["id", "url", "event_id", "attempts", "next_at", "done", "created_at"],
        "properties": {
            "id": {"type": "integer", "format": "int64"},
            "webhook_id": {"type": "string"},
            "url": {"type": "string"},
            "event_id": {"type": "integer", "format": "int64"},
            "chat_id": {"type": "string"},
            "attempts": {"type": "integer", "description": "Attempts made so far."},
            "next_at": {"type": "string", "format": "date-time",
                        "description": "The earliest time of the next attempt, for a pending delivery (its target may be "
                                       "held longer while its receiver fails)."},
            "done": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    schemas["DeliveryView"] = {
        "description": "A delivery with its state and its latest attempts.",
        "allOf": [ref("schemas", "Delivery"), {
            "type": "object",
            "required": ["status", "last_attempts"],
            "properties": {
                "status": {"type": "string", "enum": ["pending", "delivered"]},
                "last_attempts": {"type": "array", "items": ref("schemas", "Attempt"),
                                  "description": "The latest attempts, newest first (at most 5)."},
            },
        }],
    }
    schemas["DeliveryPage"] = {
        "type": "object", "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": ref("schemas", "DeliveryView")},
            "next_cursor": {"type": "string", "description": "Empty on the last page."},
        },
    }
    schemas["WebhookKey"] = {
        "type": "object", "description": "A server-wide key that signs deliveries to chats' event_webhook_url.",
        "required": ["id", "created_at"],
        "properties": {
            "id": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": "string", "format": "date-time", "description": "When it stops signing; absent: never."},
        },
    }
    schemas["CreatedWebhookKey"] = {
        "type": "object", "required": ["id", "secret", "created_at"],
        "properties": {
            "id": {"type": "string"},
            "secret": {"type": "string", "description": "The whsec_ secret, shown only now."},
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    schemas["WebhookKeyBody"] = {
        "type": "object", "additionalProperties": False,
        "properties": {"overlap_s": {"type": "integer", "minimum": 0, "maximum": 2592000, "default": 86400,
                                     "description": "How long the keys in force go on signing beside the new one."}},
    }
    cfg = schemas["ConnectConfig"]["properties"]
    cfg["webhook_secret"] = {
        "type": "string",
        "description": "Signs the deliveries to event_webhook_url (Standard Webhooks) instead of the server-wide keys; "
                       "a whsec_ secret must be base64 after the prefix. Only with event_webhook_url.",
    }

    # 3. New and changed operations.
    tag = ["webhooks"]
    paths["/api/v1/webhooks/{id}/deliveries"] = {"get": {
        "operationId": "listDeliveries", "summary": "A subscription's deliveries", "tags": tag,
        "description": "Deliveries newest first, pending ones included with their attempts and next attempt. Roles: admin.",
        "parameters": [ref("parameters", "id"), ref("parameters", "deliveryStatus"), ref("parameters", "deliveryCursor"),
                       ref("parameters", "limit")],
        "responses": {"200": answer("One page of deliveries.", ref("schemas", "DeliveryPage")),
                      **errors("401", "403", "404", "422", "500")},
    }}
    paths["/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend"] = {"post": {
        "operationId": "resendDelivery", "summary": "Send a delivery's event again", "tags": tag,
        "description": "Enqueues a new delivery of the same event to the subscription; a target held after failures "
                       "tries again at once. Roles: admin.",
        "parameters": [ref("parameters", "id"), ref("parameters", "delivery_id")],
        "responses": {"202": answer("Enqueued.", ref("schemas", "Delivery")), **errors("401", "403", "404", "500")},
    }}
    paths["/api/v1/webhooks/{id}/test"] = {"post": {
        "operationId": "testWebhook", "summary": "Send a test event", "tags": tag,
        "description": "Enqueues an event {\"event_name\": \"webhook_test\"} to the subscription, signed like the others. "
                       "Roles: admin.",
        "parameters": [ref("parameters", "id")],
        "responses": {"202": answer("Enqueued.", ref("schemas", "Delivery")), **errors("401", "403", "404", "500")},
    }}
    paths["/api/v1/chats/{id}/deliveries"] = {"get": {
        "operationId": "listChatDeliveries", "summary": "Deliveries to a chat's event_webhook_url", "tags": tag,
        "description": "Roles: admin, supervisor, integrator.",
        "parameters": [ref("parameters", "id"), ref("parameters", "deliveryStatus"), ref("parameters", "deliveryCursor"),
                       ref("parameters", "limit")],
        "responses": {"200": answer("One page of deliveries.", ref("schemas", "DeliveryPage")),
                      **errors("401", "403", "404", "422", "500")},
    }}
    paths["/api/v1/chats/{id}/deliveries/{delivery_id}/resend"] = {"post": {
        "operationId": "resendChatDelivery", "summary": "Send a chat delivery's event again", "tags": tag,
        "description": "Roles: admin, supervisor, integrator.",
        "parameters": [ref("parameters", "id"), ref("parameters", "delivery_id")],
        "responses": {"202": answer("Enqueued.", ref("schemas", "Delivery")), **errors("401", "403", "404", "500")},
    }}
    paths["/api/v1/webhook-keys"] = {
        "get": {
            "operationId": "listWebhookKeys", "summary": "Keys that sign chats' webhooks", "tags": tag,
            "description": "Without their secrets. Roles: admin.",
            "responses": {"200": answer("Keys by creation.", {"type": "array", "items": ref("schemas", "WebhookKey")}),
                          **errors("401", "403", "500")},
        },
        "post": {
            "operationId": "rotateWebhookKey", "summary": "Create (rotate) the key that signs chats' webhooks", "tags": tag,
            "description": "Deliveries to chats' event_webhook_url are signed with every key in force: the new one, and "
                           "the earlier ones until overlap_s has passed. The secret is shown only now. Roles: admin.",
            "requestBody": json_body(ref("schemas", "WebhookKeyBody"), required=False),
            "responses": {"201": answer("Created, with its secret.", ref("schemas", "CreatedWebhookKey")),
                          **errors("400", "401", "403", "413", "422", "500")},
        },
    }
    doc_json = paths["/api/v1/openapi.json"]["get"]
    paths["/api/v1/openapi.yaml"] = {"get": {
        "operationId": "openapiYAML", "summary": "This document in YAML", "tags": doc_json.get("tags", []),
        "security": [],
        "responses": {"200": {"description": "The same document as openapi.json, in YAML.",
                              "content": {"application/yaml": {"schema": {"type": "string"}}}}},
    }}
    create = paths["/api/v1/webhooks"]["post"]
    check = "A whsec_ secret must be base64 after the prefix (422 naming secret). "
    if check not in create["description"]:
        create["description"] = create["description"].replace("Without a secret", check + "Without a secret")
    stream = paths["/api/v1/events/stream"]["get"]
    note = (" A Last-Event-ID (or after) beyond the last event (the data was reset) is answered with an event reset "
            "of id 0, then every event from the first.")
    if note not in stream.get("description", ""):
        stream["description"] = stream.get("description", "") + note

    # 4. Real statuses: no "default"; a path parameter can be unknown.
    for p, item in paths.items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            rs = op["responses"]
            rs.pop("default", None)
            infallible = p in ("/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/api/v1/openapi.yaml")
            public = "security" in op
            if not infallible and "500" not in rs:
                rs["500"] = ref("responses", "Internal")
            if "{" in p and not public and "404" not in rs:
                rs["404"] = ref("responses", "NotFound")
            op["responses"] = dict(sorted(rs.items()))

    # 5. Links from creates to what reads, changes and deletes the result.
    def link(src_path, method, code, target_path, targets, expr):
        rs = paths[src_path][method]["responses"][code]
        links = rs.setdefault("links", {})
        param = target_path[target_path.rindex("{") + 1:target_path.rindex("}")]
        for m in targets:
            op = paths[target_path].get(m)
            if op:
                links[op["operationId"]] = {"operationId": op["operationId"], "parameters": {param: expr}}

    link("/api/v1/operators", "post", "201", "/api/v1/operators/{id}", ["get", "patch", "delete"], "$response.body#/id")
    link("/api/v1/operators", "post", "201", "/api/v1/operators/{id}/status", ["put"], "$response.body#/id")
    link("/api/v1/skill-groups", "post", "201", "/api/v1/skill-groups/{id}", ["get", "patch", "delete"], "$response.body#/id")
    link("/api/v1/statuses", "post", "201", "/api/v1/statuses/{id}", ["patch", "delete"], "$response.body#/id")
    link("/api/v1/topics", "post", "201", "/api/v1/topics/{alias}", ["patch", "delete"], "$response.body#/alias")
    link("/api/v1/tokens", "post", "201", "/api/v1/tokens/{id}", ["delete"], "$response.body#/id")
    link("/api/v1/bans", "post", "201", "/api/v1/bans/{id}", ["delete"], "$response.body#/id")
    link("/api/v1/webhooks", "post", "201", "/api/v1/webhooks/{id}", ["delete"], "$response.body#/id")
    link("/api/v1/webhooks", "post", "201", "/api/v1/webhooks/{id}/deliveries", ["get"], "$response.body#/id")
    link("/api/v1/webhooks", "post", "201", "/api/v1/webhooks/{id}/test", ["post"], "$response.body#/id")
    connect = "/api/v1/actions/operator_panel__connect_to_operator_with_msg"
    for target, methods in [("/api/v1/chats/{id}", ["get", "patch"]), ("/api/v1/chats/{id}/messages", ["get", "post"]),
                            ("/api/v1/chats/{id}/close", ["post"]), ("/api/v1/chats/{id}/deliveries", ["get"])]:
        link(connect, "post", "200", target, methods, "$response.body#/chat/id")

    with open(PATH, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
