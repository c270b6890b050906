#!/usr/bin/env python3
"""Checks the sandbox's OpenAPI documents (Specs/openapi/*.yaml) against the sandbox itself.

1. Each document is validated as OpenAPI 3.1 by openapi-spec-validator.
2. A standalone sandbox (`walletbridge sandbox --port P --write-config DIR`, on a free 127.0.0.1
   port) receives real signed requests — pay, inquire, cancel (where the wallet has it), refund,
   refund query (where it has it), the B2B token (SNAP), and failures (unknown customer, bad
   signature, unknown order, reused X-EXTERNAL-ID...) — and for every exchange:
   - the request body (and headers) must conform to the document's request schema and parameters,
     and the reply body to the response schema of its path and HTTP status (jsonschema, JSON
     Schema 2020-12 — the OpenAPI 3.1 dialect — with every `$ref` resolved within the document
     through a `referencing` registry holding the whole document), and carry the expected code;
   - the reply's documented headers must be present and conform, and its signature must verify
     (Alipay+ `signature`, Paytm `head.signature`, SNAP `X-SIGNATURE`).
   The notifications the sandbox sends (Alipay+ notifyPayment, Paytm's form callback, SNAP finish
   notify) are caught on 127.0.0.1 and checked against the documents' `webhooks`.

Requests are signed with the partners' official libraries, as Tests/Interop/sandbox_interop.py
does: global-open-sdk-python's signature_tool (Alipay+), paytmchecksum (Paytm) and dana-python's
SnapHeader (SNAP RSA mode and the B2B token); the SNAP token mode's HMAC-SHA512 is computed here.
Keys and ids come from the files the sandbox writes with --write-config.

Usage: openapi_check.py --cli .build/debug/walletbridge [--specs Specs/openapi]
Prints one `ok`/`FAIL` line per check and exits 1 on any failure. Talks to 127.0.0.1 only.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid

os.environ.setdefault("DANA_ENV", "production")  # no X-Debug-Mode header from dana-python

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from dana.utils.snap_header import SnapHeader  # noqa: E402
from com.alipay.ams.api.tools import signature_tool  # noqa: E402
from com.alipay.ams.api.tools.date_tools import get_cur_iso8601_time  # noqa: E402
from paytmchecksum import PaytmChecksum  # noqa: E402
from jsonschema import Draft202012Validator, FormatChecker  # noqa: E402
from jsonschema.exceptions import best_match  # noqa: E402
from openapi_spec_validator import validate as validate_openapi  # noqa: E402
from openapi_spec_validator.readers import read_from_filename  # noqa: E402
from referencing import Registry, Resource  # noqa: E402
from referencing.jsonschema import DRAFT202012  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPECS = os.path.normpath(os.path.join(HERE, "..", "..", "Specs", "openapi"))
HOST = "127.0.0.1"

RESULTS = {"checks": 0, "failures": []}


def check(name, condition, detail=""):
    RESULTS["checks"] += 1
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + str(detail)[:600]), flush=True)
    if not condition:
        RESULTS["failures"].append(name)
    return condition


# MARK: The documents


def pointer_escape(segment):
    return str(segment).replace("~", "~0").replace("/", "~1")


class Document:
    """One OpenAPI document, with JSON Schema validation of any of its schemas by JSON pointer."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.contents, self.base_uri = read_from_filename(path)
        self.uri = "urn:walletbridge:openapi:" + self.name
        resource = Resource.from_contents(self.contents, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(self.uri, resource)

    def node(self, pointer):
        node = self.contents
        for segment in pointer.split("/")[1:]:
            segment = segment.replace("~1", "/").replace("~0", "~")
            node = node[int(segment)] if isinstance(node, list) else node[segment]
        return node

    def follow(self, pointer):
        """The pointer of the object at `pointer`, after any chain of (in-document) `$ref`s."""
        for _ in range(20):
            node = self.node(pointer)
            if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
                pointer = node["$ref"][1:]
            else:
                return pointer
        raise ValueError("$ref loop at " + pointer)

    def errors(self, schema_pointer, instance):
        """Validation errors of `instance` against the schema at `schema_pointer` (2020-12)."""
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": self.uri + "#" + schema_pointer}
        validator = Draft202012Validator(schema, registry=self.registry, format_checker=FormatChecker())
        return list(validator.iter_errors(instance))

    def operation(self, path):
        item = self.follow("/paths/" + pointer_escape(path))
        return self.follow(item + "/post")

    def webhook(self, name):
        return self.follow(self.follow("/webhooks/" + pointer_escape(name)) + "/post")

    def response(self, path, status):
        """The pointer of the response object documented for `status` (exact, then NXX, then default)."""
        responses = self.operation(path) + "/responses"
        documented = self.node(responses)
        for key in (str(status), str(status)[0] + "XX", "default"):
            if key in documented:
                return self.follow(responses + "/" + pointer_escape(key))
        return None


def describe(errors):
    if not errors:
        return ""
    error = best_match(errors)
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return "%d error(s); at %s: %s" % (len(errors), where, error.message)


def media_type(content_type):
    return (content_type or "").split(";")[0].strip().lower()


def header_value(headers, name):
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def check_request(doc, operation, body, headers, query=None):
    """Problems of a request against its operation: body schema and header/query parameters."""
    problems = []
    request_body = doc.node(operation).get("requestBody")
    if request_body is not None:
        body_pointer = doc.follow(operation + "/requestBody")
        schema = body_pointer + "/content/application~1json/schema"
        found = describe(doc.errors(schema, body))
        if found:
            problems.append("request body: " + found)
    for index, _ in enumerate(doc.node(operation).get("parameters", [])):
        parameter_pointer = doc.follow(operation + "/parameters/%d" % index)
        parameter = doc.node(parameter_pointer)
        source = headers if parameter["in"] == "header" else (query or {})
        value = header_value(source, parameter["name"]) if parameter["in"] == "header" else source.get(parameter["name"])
        if value is None:
            if parameter.get("required"):
                problems.append("missing %s %s" % (parameter["in"], parameter["name"]))
            continue
        found = describe(doc.errors(parameter_pointer + "/schema", value))
        if found:
            problems.append("%s %s: %s" % (parameter["in"], parameter["name"], found))
    return problems


def check_reply(doc, path, status, headers, raw):
    """(problems with the body, problems with the headers, parsed body) for a reply to POST path."""
    response = doc.response(path, status)
    if response is None:
        return ["HTTP %d is not documented for %s" % (status, path)], [], None
    content = doc.node(response).get("content", {})
    kind = media_type(header_value(headers, "Content-Type"))
    if kind not in content:
        return ["content type %r is not documented for %s %d" % (kind, path, status)], [], None
    try:
        body = json.loads(raw)
    except ValueError as error:
        return ["reply is not JSON: %s" % error], [], None
    body_problems = []
    found = describe(doc.errors(response + "/content/" + pointer_escape(kind) + "/schema", body))
    if found:
        body_problems.append("reply body: " + found)
    header_problems = []
    for name in doc.node(response).get("headers", {}):
        header_pointer = doc.follow(response + "/headers/" + pointer_escape(name))
        header = doc.node(header_pointer)
        value = header_value(headers, name)
        if value is None:
            if header.get("required"):
                header_problems.append("missing header " + name)
            continue
        found = describe(doc.errors(header_pointer + "/schema", value))
        if found:
            header_problems.append("header %s: %s" % (name, found))
    return body_problems, header_problems, body


def outcome(body, keys):
    """The reply's code, from a path of keys (e.g. result.resultCode)."""
    node = body
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


# MARK: Loopback HTTP


def post(port, path, body, headers):
    connection = http.client.HTTPConnection(HOST, port, timeout=15)
    try:
        connection.request("POST", path, body=body.encode("utf-8"), headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        connection.close()


class Catcher(http.server.BaseHTTPRequestHandler):
    """Receives the sandbox's notifications on 127.0.0.1 and acknowledges them as each wallet wants."""
    received = {"gcash": [], "paytm": [], "dana": []}
    gcash_ack = None  # set by main: (path) -> (headers, body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(length).decode("utf-8")
        headers = {key: value for key, value in self.headers.items()}
        wallet = self.path.strip("/").split("/")[0]
        if wallet in Catcher.received:
            Catcher.received[wallet].append((self.path, headers, data))
        if wallet == "gcash" and Catcher.gcash_ack:
            reply_headers, reply = Catcher.gcash_ack(self.path)
        elif wallet == "dana":
            reply_headers, reply = {"Content-Type": "application/json"}, '{"responseCode":"2005600","responseMessage":"Successful"}'
        else:
            reply_headers, reply = {"Content-Type": "text/plain"}, "OK"
        payload = reply.encode("utf-8")
        self.send_response(200)
        for key, value in reply_headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def wait_for(wallet, predicate, seconds=10.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        for item in list(Catcher.received[wallet]):
            if predicate(item):
                return item
        time.sleep(0.05)
    return None


# MARK: Keys and signatures


def bare_key(pem_text):
    """The base64 body of a PEM text (what global-open-sdk-python takes)."""
    return "".join(line.strip() for line in pem_text.splitlines() if line.strip() and not line.startswith("-----"))


def rsa_verify(public_pem, message, signature_b64):
    key = serialization.load_pem_public_key(public_pem.encode())
    try:
        key.verify(base64.b64decode(signature_b64), message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        return True
    except Exception:  # noqa: BLE001 - any failure is "does not verify"
        return False


class Config:
    """Ids and keys of the sandbox's test merchant, from the files --write-config wrote."""

    def __init__(self, directory):
        with open(os.path.join(directory, "walletbridge.json")) as f:
            wallets = json.load(f)["wallets"]

        def read(reference):
            name = reference[len("file:"):] if reference.startswith("file:") else reference
            with open(os.path.join(directory, name)) as f:
                return f.read().strip()

        gcash, paytm, dana = wallets["gcash"], wallets["paytm"], wallets["dana"]
        self.gcash_client_id = gcash["client_id"]
        self.gcash_key_version = gcash.get("key_version", "1")
        self.gcash_merchant_key = bare_key(read(gcash["merchant_key"]))
        self.gcash_platform_key = bare_key(read(gcash["partner_public_keys"][self.gcash_key_version]))
        self.paytm_mid = paytm["client_id"]
        self.paytm_key = read(paytm["merchant_key"])
        self.dana_partner = dana["client_id"]
        self.dana_merchant = dana["settings"]["merchantId"]
        self.dana_private_pem = read(dana["merchant_key"])
        self.dana_wallet_pem = read(dana["partner_public_key"])
        self.dana_client_secret = read(dana["client_secret"])


# MARK: Alipay+ (GCash-style)


def alipayplus_checks(doc, port, cfg, notify_base):
    def send(path, body_obj, label, expected, key=None):
        body = json.dumps(body_obj, separators=(",", ":"))
        request_time = get_cur_iso8601_time()
        signature = signature_tool.sign("POST", path, cfg.gcash_client_id, request_time, body, key or cfg.gcash_merchant_key)
        headers = {"Content-Type": "application/json; charset=UTF-8", "Client-Id": cfg.gcash_client_id, "Request-Time": request_time,
                   "Signature": "algorithm=RSA256,keyVersion=%s,signature=%s" % (cfg.gcash_key_version, signature)}
        status, reply_headers, raw = post(port, path, body, headers)
        problems = check_request(doc, doc.operation(path), body_obj, headers)
        body_problems, header_problems, reply = check_reply(doc, path, status, reply_headers, raw)
        code = outcome(reply, ["result", "resultCode"])
        if code != expected:
            body_problems.append("expected resultCode %s, got %s (HTTP %d)" % (expected, code, status))
        check("alipayplus %s %s: request and reply conform (%s)" % (path, label, expected), not (problems + body_problems), problems + body_problems or raw)
        signature_header = header_value(reply_headers, "signature") or ""
        verified = "signature=" in signature_header and signature_tool.verify(
            "POST", path, header_value(reply_headers, "client-id") or "", header_value(reply_headers, "response-time") or "", raw,
            signature_header.split("signature=", 1)[1], cfg.gcash_platform_key)
        if not verified:
            header_problems.append("the reply signature does not verify with the platform key")
        check("alipayplus %s %s: reply headers conform, signature verifies" % (path, label), not header_problems, header_problems)
        return reply or {}

    api = "/aps/api/v1/payments/"
    reference = "OA-GC-" + uuid.uuid4().hex[:12]

    def pay_body(ref, customer, value="1000", currency="PHP", notify=None):
        amount = {"currency": currency, "value": value}
        body = {"productCode": "AGREEMENT_PAYMENT", "paymentRequestId": ref, "paymentAmount": amount,
                "paymentMethod": {"paymentMethodType": "GCASH", "paymentMethodId": customer},
                "order": {"referenceOrderId": ref, "orderDescription": "openapi check", "orderAmount": amount},
                "env": {"terminalType": "WEB"}}
        if notify:
            body["paymentNotifyUrl"] = notify
        return body

    paid = send(api + "pay", pay_body(reference, "gcash-pays", notify=notify_base + "/gcash/notify"), "gcash-pays", "SUCCESS")
    payment_id = paid.get("paymentId", "")
    send(api + "pay", pay_body(reference, "gcash-pays", "2000"), "same paymentRequestId, other amount", "REPEAT_REQ_INCONSISTENT")
    send(api + "inquiryPayment", {"paymentRequestId": reference}, "succeeded payment", "SUCCESS")
    send("/ams/sandbox/api/v1/payments/inquiryPayment", {"paymentId": payment_id}, "by paymentId (Antom SDK path)", "SUCCESS")

    pending = "OA-GC-" + uuid.uuid4().hex[:12]
    send(api + "pay", pay_body(pending, "gcash-confirm", "1000", "USD"), "gcash-confirm, USD (quote, actionForm)", "PAYMENT_IN_PROCESS")
    send(api + "cancelPayment", {"paymentRequestId": pending}, "payment in process", "SUCCESS")
    send(api + "inquiryPayment", {"paymentRequestId": pending}, "cancelled payment", "SUCCESS")
    send(api + "cancelPayment", {"paymentRequestId": reference}, "succeeded payment", "ORDER_STATUS_INVALID")

    refund_reference = reference + "-R1"
    refund = {"refundRequestId": refund_reference, "paymentId": payment_id, "refundAmount": {"currency": "PHP", "value": "400"}}
    send(api + "refund", refund, "partial", "SUCCESS")
    send(api + "refund", dict(refund, refundRequestId=reference + "-R2", refundAmount={"currency": "PHP", "value": "700"}), "over the payment", "REFUND_AMOUNT_EXCEED")
    send(api + "inquiryRefund", {"refundRequestId": refund_reference}, "made refund", "SUCCESS")
    send(api + "inquiryRefund", {"refundRequestId": "OA-NO-SUCH-REFUND"}, "unknown refund", "REFUND_NOT_EXIST")

    send(api + "pay", pay_body("OA-GC-" + uuid.uuid4().hex[:12], "gcash-declines"), "gcash-declines", "USER_PAYMENT_VERIFICATION_FAILED")
    send(api + "pay", pay_body("OA-GC-" + uuid.uuid4().hex[:12], "nobody-at-all"), "unknown customer", "INVALID_ACCESS_TOKEN")
    send(api + "inquiryPayment", {"paymentRequestId": "OA-NO-SUCH-PAYMENT"}, "unknown payment", "ORDER_NOT_EXIST")
    wrong_key = generate_wrong_key()
    send(api + "pay", pay_body("OA-GC-" + uuid.uuid4().hex[:12], "gcash-pays"), "signed with another key", "INVALID_SIGNATURE", key=wrong_key)

    # The notification of the first payment (PAYMENT_RESULT), against webhooks.notifyPayment.
    caught = wait_for("gcash", lambda item: reference in item[2])
    if not check("alipayplus webhook notifyPayment: the sandbox notified the payment", caught is not None, "nothing arrived"):
        return
    path, headers, raw = caught
    operation = doc.webhook("notifyPayment")
    problems = describe(doc.errors(operation + "/requestBody/content/application~1json/schema", json.loads(raw)))
    signature_header = header_value(headers, "Signature") or ""
    verified = "signature=" in signature_header and signature_tool.verify(
        "POST", path, header_value(headers, "Client-Id") or "", header_value(headers, "Request-Time") or "", raw,
        signature_header.split("signature=", 1)[1], cfg.gcash_platform_key)
    check("alipayplus webhook notifyPayment: body conforms, signature verifies", not problems and verified,
          problems or "the notification signature does not verify")


def generate_wrong_key():
    """A fresh RSA key (bare base64 PKCS#8) that the sandbox does not know."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return bare_key(pem)


# MARK: Paytm


def paytm_checks(doc, port, cfg, notify_base):
    def send(path, body_obj, label, expected, query=None, signature=None):
        body = json.dumps(body_obj, separators=(",", ":"))
        checksum = signature if signature is not None else PaytmChecksum.generateSignatureByString(body, cfg.paytm_key)
        envelope_text = '{"head":{"signature":"%s","version":"v1"},"body":%s}' % (checksum, body)
        target = path + ("?" + urllib.parse.urlencode(query) if query else "")
        status, reply_headers, raw = post(port, target, envelope_text, {"Content-Type": "application/json"})
        problems = check_request(doc, doc.operation(path), json.loads(envelope_text), {"Content-Type": "application/json"}, query)
        body_problems, header_problems, reply = check_reply(doc, path, status, reply_headers, raw)
        code = outcome(reply, ["body", "resultInfo", "resultCode"])
        if code != expected:
            body_problems.append("expected resultCode %s, got %s (HTTP %d)" % (expected, code, status))
        check("paytm %s %s: request and reply conform (%s)" % (path, label, expected), not (problems + body_problems), problems + body_problems or raw)
        # The checksum covers the reply's body text exactly as sent: cut it from the raw bytes.
        marker = ',"body":'
        verified = False
        if raw.startswith('{"head":') and marker in raw and raw.endswith("}"):
            body_text = raw[raw.index(marker) + len(marker):-1]
            head_signature = outcome(reply, ["head", "signature"]) or ""
            verified = bool(head_signature) and PaytmChecksum.verifySignatureByString(body_text, cfg.paytm_key, head_signature)
        check("paytm %s %s: head.signature verifies over the reply's body text" % (path, label), verified, raw)
        return (reply or {}).get("body", {})

    order = "OA-PTM-" + uuid.uuid4().hex[:12]

    def initiate_body(order_id, customer, value="12.00", callback=None):
        body = {"requestType": "Payment", "mid": cfg.paytm_mid, "websiteName": "WEBSTAGING", "orderId": order_id,
                "txnAmount": {"value": value, "currency": "INR"}, "userInfo": {"custId": customer}}
        if callback:
            body["callbackUrl"] = callback
        return body

    send("/theia/api/v1/initiateTransaction", initiate_body(order, "paytm-pays", callback=notify_base + "/paytm/callback"), "paytm-pays",
         "0000", query={"mid": cfg.paytm_mid, "orderId": order})
    send("/theia/api/v1/initiateTransaction", initiate_body(order, "paytm-pays", "13.00"), "same orderId, other amount", "325")
    status = send("/v3/order/status", {"mid": cfg.paytm_mid, "orderId": order}, "paid order", "01")
    txn_id = status.get("txnId", "")

    refund = {"mid": cfg.paytm_mid, "txnType": "REFUND", "orderId": order, "txnId": txn_id, "refId": order + "-R1", "refundAmount": "2.00"}
    send("/refund/apply", refund, "partial", "601")
    send("/refund/apply", refund, "same refId again", "617")
    send("/refund/apply", dict(refund, refId=order + "-R2", refundAmount="11.00"), "over the order", "619")
    send("/v2/refund/status", {"mid": cfg.paytm_mid, "orderId": order, "refId": order + "-R1"}, "pending refund (settles)", "10")
    send("/v2/refund/status", {"mid": cfg.paytm_mid, "orderId": order, "refId": "OA-NO-SUCH-REFUND"}, "unknown refund", "631")

    other = "OA-PTM-" + uuid.uuid4().hex[:12]
    send("/order/initiate", initiate_body(other, "paytm-slow"), "paytm-slow (paytm-pg path)", "0000", query={"mid": cfg.paytm_mid, "orderId": other})
    send("/v3/order/status", {"mid": cfg.paytm_mid, "orderId": other}, "checkout not complete", "402")
    declined = "OA-PTM-" + uuid.uuid4().hex[:12]
    send("/theia/api/v1/initiateTransaction", initiate_body(declined, "paytm-declines"), "paytm-declines", "0000")
    send("/v3/order/status", {"mid": cfg.paytm_mid, "orderId": declined}, "declined order", "227")
    send("/theia/api/v1/initiateTransaction", initiate_body("OA-PTM-" + uuid.uuid4().hex[:12], "nobody-at-all"), "unknown customer", "1001")
    send("/v3/order/status", {"mid": cfg.paytm_mid, "orderId": "OA-NO-SUCH-ORDER"}, "unknown order", "334")
    wrong = PaytmChecksum.generateSignatureByString('{"mid":"other text"}', cfg.paytm_key)
    send("/v3/order/status", {"mid": cfg.paytm_mid, "orderId": order}, "checksum over other text", "330", signature=wrong)
    send("/theia/api/v1/initiateTransaction", initiate_body("OA-PTM-" + uuid.uuid4().hex[:12], "paytm-pays"), "checksum over other text", "2005",
         signature=wrong)

    # The form callback of the first order, against webhooks.transactionCallback.
    caught = wait_for("paytm", lambda item: order in item[2])
    if not check("paytm webhook transactionCallback: the sandbox posted the callback", caught is not None, "nothing arrived"):
        return
    _, _, raw = caught
    fields = {key: values[0] for key, values in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
    operation = doc.webhook("transactionCallback")
    problems = describe(doc.errors(operation + "/requestBody/content/application~1x-www-form-urlencoded/schema", fields))
    signed = dict(fields)
    checksum = signed.pop("CHECKSUMHASH", "")
    verified = bool(checksum) and PaytmChecksum.verifySignature(signed, cfg.paytm_key, checksum)
    check("paytm webhook transactionCallback: form conforms, CHECKSUMHASH verifies", not problems and verified,
          problems or "CHECKSUMHASH does not verify")


# MARK: SNAP (DANA-style)


def snap_checks(doc, port, cfg, notify_base):
    def rsa_headers(path, body, scenario=""):
        auth = SnapHeader.get_snap_generated_auth("POST", path, body, private_key=cfg.dana_private_pem, scenario=scenario,
                                                  client_key=cfg.dana_partner)
        headers = {"Content-Type": "application/json", "X-PARTNER-ID": cfg.dana_partner}
        headers.update({setting["key"]: str(setting["value"]) for setting in auth.values()})
        return headers

    def hmac_headers(path, body, token):
        timestamp = time.strftime("%Y-%m-%dT%H:%M:%S+07:00", time.gmtime(time.time() + 7 * 3600))
        text = "POST:%s:%s:%s:%s" % (path, token, hashlib.sha256(body.encode("utf-8")).hexdigest(), timestamp)
        mac = hmac.new(cfg.dana_client_secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha512).digest()
        return {"Content-Type": "application/json", "Authorization": "Bearer " + token, "X-TIMESTAMP": timestamp,
                "X-SIGNATURE": base64.b64encode(mac).decode(), "X-PARTNER-ID": cfg.dana_partner,
                "X-EXTERNAL-ID": uuid.uuid4().hex, "CHANNEL-ID": "95221"}

    def send(path, body_obj, label, expected, customer=None, headers=None, scenario="", sent_body=None):
        body = json.dumps(body_obj, separators=(",", ":"))
        headers = dict(headers) if headers else rsa_headers(path, body, scenario)
        if customer:
            headers["Authorization-Customer"] = "Bearer " + customer
        status, reply_headers, raw = post(port, path, sent_body if sent_body is not None else body, headers)
        problems = check_request(doc, doc.operation(path), json.loads(sent_body) if sent_body else body_obj, headers)
        body_problems, header_problems, reply = check_reply(doc, path, status, reply_headers, raw)
        code = outcome(reply, ["responseCode"])
        if code != expected:
            body_problems.append("expected responseCode %s, got %s (HTTP %d)" % (expected, code, status))
        elif str(code)[:3] != str(status):
            body_problems.append("HTTP %d does not match responseCode %s" % (status, code))
        check("snap %s %s: request and reply conform (HTTP %d %s)" % (path, label, status, expected), not (problems + body_problems),
              problems + body_problems or raw)
        message = "POST:%s:%s:%s" % (path, hashlib.sha256(raw.encode("utf-8")).hexdigest(), header_value(reply_headers, "X-TIMESTAMP") or "")
        if not rsa_verify(cfg.dana_wallet_pem, message, header_value(reply_headers, "X-SIGNATURE") or ""):
            header_problems.append("X-SIGNATURE does not verify with the wallet key")
        check("snap %s %s: reply headers conform, X-SIGNATURE verifies" % (path, label), not header_problems, header_problems)
        return reply or {}, headers

    debit = "/payment-gateway/v1.0/debit/"
    token_reply, _ = send("/v1.0/access-token/b2b.htm", {"grantType": "client_credentials"}, "RSA-signed token request", "2007300",
                          scenario="apply_token")
    token = token_reply.get("accessToken", "")
    send("/v1.0/access-token/b2b", {"grantType": "client_credentials"}, "(no .htm)", "2007300", scenario="apply_token")

    reference = "OA-DANA-" + uuid.uuid4().hex[:12]

    def payment_body(ref, value="10000.00", notify=None):
        amount = {"value": value, "currency": "IDR"}
        body = {"partnerReferenceNo": ref, "merchantId": cfg.dana_merchant, "amount": amount, "validUpTo": "2030-01-01T00:00:00+07:00",
                "payOptionDetails": [{"payMethod": "BALANCE", "payOption": "", "transAmount": amount}]}
        if notify:
            body["urlParams"] = [{"url": notify, "type": "NOTIFICATION", "isDeeplink": "N"}]
        return body

    first = payment_body(reference, notify=notify_base + "/dana/notify")
    _, pay_headers = send(debit + "payment-host-to-host.htm", first, "dana-pays", "2005400", customer="dana-pays")
    # The identical request again (same signature, same X-EXTERNAL-ID): refused before processing.
    send(debit + "payment-host-to-host.htm", first, "X-EXTERNAL-ID reused", "4095400", headers=pay_headers)
    send(debit + "payment-host-to-host.htm", payment_body(reference, "20000.00"), "same partnerReferenceNo, other body", "4045418",
         customer="dana-pays")
    status_body = {"originalPartnerReferenceNo": reference, "serviceCode": "54", "merchantId": cfg.dana_merchant}
    send(debit + "status.htm", status_body, "paid payment", "2005500")
    if token:
        path = debit + "status.htm"
        body = json.dumps(status_body, separators=(",", ":"))
        send(path, status_body, "token mode (Bearer + HMAC-SHA512)", "2005500", headers=hmac_headers(path, body, token))
    send(debit + "cancel.htm", {"originalPartnerReferenceNo": reference, "merchantId": cfg.dana_merchant}, "paid payment", "4035715")
    refund = {"originalPartnerReferenceNo": reference, "merchantId": cfg.dana_merchant, "partnerRefundNo": reference + "-R1",
              "refundAmount": {"value": "2500.00", "currency": "IDR"}}
    send(debit + "refund.htm", refund, "partial", "2005800")
    send(debit + "refund.htm", dict(refund, partnerRefundNo=reference + "-R2", refundAmount={"value": "9000.00", "currency": "IDR"}),
         "over the payment", "4035802")

    slow = "OA-DANA-" + uuid.uuid4().hex[:12]
    send(debit + "payment-host-to-host.htm", payment_body(slow), "dana-slow", "2025400", customer="dana-slow")
    send(debit + "cancel.htm", {"originalPartnerReferenceNo": slow, "merchantId": cfg.dana_merchant}, "payment in progress", "2005700")
    send(debit + "status.htm", dict(status_body, originalPartnerReferenceNo=slow), "cancelled payment", "2005500")
    send(debit + "refund.htm", dict(refund, originalPartnerReferenceNo=slow, partnerRefundNo=slow + "-R1"), "cancelled payment", "4035815")

    send(debit + "payment-host-to-host.htm", payment_body("OA-DANA-" + uuid.uuid4().hex[:12]), "dana-declines", "4035405", customer="dana-declines")
    send(debit + "payment-host-to-host.htm", payment_body("OA-DANA-" + uuid.uuid4().hex[:12]), "unknown customer", "4015400",
         customer="nobody-at-all")
    send(debit + "status.htm", dict(status_body, originalPartnerReferenceNo="OA-NO-SUCH-PAYMENT"), "unknown payment", "4045501")
    signed = payment_body("OA-DANA-" + uuid.uuid4().hex[:12])
    forged = json.dumps(dict(signed, amount={"value": "10.00", "currency": "IDR"}), separators=(",", ":"))
    send(debit + "payment-host-to-host.htm", signed, "body differs from the signed one", "4015400", customer="dana-pays", sent_body=forged)
    if token:
        path = debit + "status.htm"
        body = json.dumps(status_body, separators=(",", ":"))
        send(path, status_body, "token not issued here", "4015503", headers=hmac_headers(path, body, "X" * 40))

    # The finish notify of the first payment, against webhooks.finishNotify.
    caught = wait_for("dana", lambda item: reference in item[2])
    if not check("snap webhook finishNotify: the sandbox notified the payment", caught is not None, "nothing arrived"):
        return
    path, headers, raw = caught
    operation = doc.webhook("finishNotify")
    problems = describe(doc.errors(operation + "/requestBody/content/application~1json/schema", json.loads(raw)))
    message = "POST:%s:%s:%s" % (path, hashlib.sha256(raw.encode("utf-8")).hexdigest(), header_value(headers, "X-TIMESTAMP") or "")
    verified = rsa_verify(cfg.dana_wallet_pem, message, header_value(headers, "X-SIGNATURE") or "")
    check("snap webhook finishNotify: body conforms, X-SIGNATURE verifies", not problems and verified,
          problems or "X-SIGNATURE does not verify")


# MARK: Main


def check_acknowledged(port, notify_base):
    """The acknowledgements the documents describe (and the catcher sends) stop the redeliveries."""
    deliveries = []
    for _ in range(100):
        with urllib.request.urlopen("http://%s:%d/sandbox/notifications" % (HOST, port), timeout=5) as response:
            deliveries = [d for d in json.load(response) if d.get("url", "").startswith(notify_base)]
        if deliveries and all(d.get("acknowledged") is True for d in deliveries):
            break
        time.sleep(0.05)
    check("the documented acknowledgements were accepted (%d notifications, none left to redeliver)" % len(deliveries),
          bool(deliveries) and all(d.get("acknowledged") is True for d in deliveries), deliveries)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli", required=True, help="the walletbridge executable (e.g. .build/debug/walletbridge)")
    parser.add_argument("--specs", default=DEFAULT_SPECS, help="folder of alipayplus.yaml, paytm.yaml, snap.yaml")
    args = parser.parse_args()

    documents = {}
    for name in ("alipayplus", "paytm", "snap"):
        path = os.path.join(args.specs, name + ".yaml")
        try:
            document = Document(path)
            validate_openapi(document.contents, base_uri=document.base_uri)
            documents[name] = document
            check("%s.yaml is a valid OpenAPI %s document (openapi-spec-validator)" % (name, document.contents.get("openapi")), True)
        except Exception as error:  # noqa: BLE001 - report any reading or validation error as a failed check
            check("%s.yaml is a valid OpenAPI document (openapi-spec-validator)" % name, False, "%s: %s" % (type(error).__name__, error))

    workdir = tempfile.mkdtemp(prefix="wb-openapi-")
    port = free_port()
    sandbox = subprocess.Popen([args.cli, "sandbox", "--port", str(port), "--write-config", workdir],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    catcher = http.server.ThreadingHTTPServer((HOST, 0), Catcher)
    threading.Thread(target=catcher.serve_forever, daemon=True).start()
    notify_base = "http://%s:%d" % (HOST, catcher.server_address[1])
    try:
        healthy = False
        for _ in range(300):
            if sandbox.poll() is not None:
                break
            try:
                with urllib.request.urlopen("http://%s:%d/sandbox/health" % (HOST, port), timeout=1) as response:
                    healthy = response.status == 200
                if healthy and os.path.exists(os.path.join(workdir, "walletbridge.json")):
                    break
            except OSError:
                pass
            time.sleep(0.1)
        if check("the sandbox answers GET /sandbox/health on %s:%d" % (HOST, port), healthy, "exit code %s" % sandbox.poll()):
            cfg = Config(workdir)

            def gcash_ack(path):
                body = '{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}'
                response_time = get_cur_iso8601_time()
                signature = signature_tool.sign("POST", path, cfg.gcash_client_id, response_time, body, cfg.gcash_merchant_key)
                return ({"Content-Type": "application/json; charset=UTF-8", "Client-Id": cfg.gcash_client_id, "Response-Time": response_time,
                         "Signature": "algorithm=RSA256,keyVersion=%s,signature=%s" % (cfg.gcash_key_version, signature)}, body)
            Catcher.gcash_ack = staticmethod(gcash_ack)

            for name, run in (("alipayplus", alipayplus_checks), ("paytm", paytm_checks), ("snap", snap_checks)):
                if name not in documents:
                    continue
                try:
                    run(documents[name], port, cfg, notify_base)
                except Exception as error:  # noqa: BLE001 - a crash in one wallet's checks is a failure, the others still run
                    check("%s checks ran to the end" % name, False, "%s: %s" % (type(error).__name__, error))
            check_acknowledged(port, notify_base)
    finally:
        catcher.shutdown()
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()
            sandbox.wait()
        shutil.rmtree(workdir, ignore_errors=True)

    failed = len(RESULTS["failures"])
    print("openapi: %d passed, %d failed" % (RESULTS["checks"] - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
