#!/usr/bin/env python3
"""Interop check of the sandbox against the partners' official libraries.

GCash part: the official Antom/Alipay+ SDK (global-open-sdk-python).

The SDK's own client signs the requests, serialises the bodies and verifies our responses
(its `execute` raises on a missing, incomplete or wrong response signature). Only its network
function is replaced: it always dials HTTPS on port 443, and the sandbox is plain HTTP on a
loopback port. Paths are the SDK's (`/ams/sandbox/api/...` for a SANDBOX_ client id), which
the sandbox serves beside the Alipay+ `/aps/api/...` ones.

Paytm part: the official checksum library (paytmchecksum) signs the bodies we post and verifies
the sandbox's reply checksums (over the body text cut from the raw bytes) and the form callback
it posts to a local HTTP server (map form over every field but CHECKSUMHASH).

DANA part: the official dana-python library signs the SNAP requests (RSA, as DANA does it, and
the B2B token request), and its WebhookParser verifies the finish notification the sandbox sends
(DANA_ENV is set to production, or the parser would silently use its embedded sandbox key).

Usage: sandbox_interop.py --cli PATH   (starts `walletbridge sandbox` on a free loopback port)
"""
import argparse
import http.client
import http.server
import threading
import urllib.parse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

from paytmchecksum import PaytmChecksum
os.environ["DANA_ENV"] = "production"
from dana.utils.snap_header import SnapHeader  # noqa: E402
from dana.webhook.webhook import WebhookParser  # noqa: E402
from com.alipay.ams.api import default_alipay_client as sdk_client
from com.alipay.ams.api.default_alipay_client import DefaultAlipayClient
from com.alipay.ams.api.exception.exception import AlipayApiException
from com.alipay.ams.api.model.amount import Amount
from com.alipay.ams.api.model.env import Env
from com.alipay.ams.api.model.order import Order
from com.alipay.ams.api.model.payment_method import PaymentMethod
from com.alipay.ams.api.model.product_code_type import ProductCodeType
from com.alipay.ams.api.model.terminal_type import TerminalType
from com.alipay.ams.api.model.customer_belongs_to import CustomerBelongsTo
from com.alipay.ams.api.model.grant_type import GrantType
from com.alipay.ams.api.model.scope_type import ScopeType
from com.alipay.ams.api.request.auth.alipay_auth_apply_token_request import AlipayAuthApplyTokenRequest
from com.alipay.ams.api.request.auth.alipay_auth_consult_request import AlipayAuthConsultRequest
from com.alipay.ams.api.request.auth.alipay_auth_revoke_token_request import AlipayAuthRevokeTokenRequest
from com.alipay.ams.api.request.pay.alipay_pay_query_request import AlipayPayQueryRequest
from com.alipay.ams.api.request.pay.alipay_pay_request import AlipayPayRequest
from com.alipay.ams.api.request.pay.alipay_refund_request import AlipayRefundRequest

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "Fixtures", "vectors", "keys")
CLIENT_ID = "SANDBOX_WALLETBRIDGE_GCASH"
PAYTM_MID = "WBSANDBOX00000000001"
DANA_PARTNER = "2026112400000000000001"
DANA_MERCHANT = "216620000000000000001"
with open(os.path.join(KEYS, "test-only-paytm-merchant-key.txt")) as key_file:
    PAYTM_KEY = key_file.read().strip()


def paytm_post(port, path, body):
    """Posts `body` (text) signed by the official library; returns (reply body text, signature)."""
    signature = PaytmChecksum.generateSignatureByString(body, PAYTM_KEY)
    envelope = '{"head":{"signature":"%s","version":"v1"},"body":%s}' % (signature, body)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", path, body=envelope.encode(), headers={"Content-Type": "application/json"})
    raw = connection.getresponse().read().decode()
    connection.close()
    marker = ',"body":'
    head = json.loads(raw[len('{"head":'):raw.index(marker)])
    return raw[raw.index(marker) + len(marker):-1], head.get("signature")


def pem(name):
    with open(os.path.join(KEYS, name)) as f:
        return f.read()


def dana_post(port, path, body, customer=None, scenario=""):
    """Posts `body` signed by dana-python; returns (HTTP status, response headers, body text)."""
    auth = SnapHeader.get_snap_generated_auth("POST", path, body, private_key=pem("test-only-merchant-rsa2048-private-pkcs8.pem"),
                                              scenario=scenario, client_key=DANA_PARTNER)
    headers = {"Content-Type": "application/json", "X-PARTNER-ID": DANA_PARTNER}
    headers.update({setting["key"]: str(setting["value"]) for setting in auth.values()})
    if customer:
        headers["Authorization-Customer"] = "Bearer " + customer
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", path, body=body.encode(), headers=headers)
    response = connection.getresponse()
    result = response.status, {k.upper(): v for k, v in response.getheaders()}, response.read().decode()
    connection.close()
    return result


class CallbackCatcher(http.server.BaseHTTPRequestHandler):
    """Records form callbacks (and SNAP notifications, raw) and answers 200."""
    received = []
    raw = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(length).decode()
        if self.path.startswith("/dana/"):
            CallbackCatcher.raw.append((self.path, {k.upper(): v for k, v in self.headers.items()}, data))
            reply = b'{"responseCode":"2005600","responseMessage":"Successful"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
            return
        CallbackCatcher.received.append(urllib.parse.parse_qs(data, keep_blank_values=True))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


def bare_key(name):
    """The base64 body of a PEM file: what the SDK takes (and what portals hand out)."""
    with open(os.path.join(KEYS, name)) as f:
        return "".join(line.strip() for line in f if not line.startswith("-----"))


def loopback_do_post(port):
    def do_post(url, headers=None, req_body=None, charset="UTF-8"):
        path = url[url.index("/", len("https://")):]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", path, body=req_body.encode(charset), headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            raise AlipayApiException("invalid http status " + str(response.status))
        result = response.getheaders(), response.read()
        connection.close()
        return result
    return do_post


def pay_request(reference, customer, value, currency="PHP"):
    request = AlipayPayRequest()
    request.product_code = ProductCodeType.AGREEMENT_PAYMENT
    request.payment_request_id = reference
    amount = Amount(currency, value)
    request.payment_amount = amount
    order = Order()
    order.reference_order_id = reference
    order.order_description = "interop order"
    order.order_amount = amount
    request.order = order
    method = PaymentMethod()
    method.payment_method_type = "GCASH"
    method.payment_method_id = customer
    request.payment_method = method
    env = Env()
    env.terminal_type = TerminalType.WEB
    request.env = env
    return request


def sandbox_post(port, path, payload):
    """POSTs JSON to a sandbox endpoint (the consent page's approve, as the test customer would)."""
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method="POST", data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def redirect_query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def gcash_authorization_checks(client, execute, port, check):
    """The Antom SDK's own authorization requests (consult, applyToken with a code and a refresh
    token, revoke) against the sandbox, each reply's signature verified by the SDK."""
    consult = AlipayAuthConsultRequest()
    consult.customer_belongs_to = CustomerBelongsTo.GCASH.value
    consult.auth_redirect_url = "https://merchant.example/bound"
    consult.scopes = [ScopeType.AGREEMENT_PAY.value]
    consult.auth_state = "SDK-STATE-" + uuid.uuid4().hex[:8]
    consult.terminal_type = TerminalType.WEB.value
    consulted = execute(client, consult)
    page = consulted.get("normalUrl") or consulted.get("authUrl") or ""
    check("SDK consultAuthorization: S with a consent page", consulted["result"]["resultStatus"] == "S" and "session=" in page, consulted)
    session = redirect_query(page).get("session", "")
    back = redirect_query(sandbox_post(port, "/sandbox/consent/approve", {"session": session, "customer": "gcash-binds"}).get("redirect", ""))
    check("consent approved: the redirect carries authCode and the SDK's authState", back.get("authState") == consult.auth_state and back.get("authCode"), back)

    apply = AlipayAuthApplyTokenRequest()
    apply.grant_type = GrantType.AUTHORIZATION_CODE.value
    apply.customer_belongs_to = CustomerBelongsTo.GCASH.value
    apply.auth_code = back.get("authCode", "")
    tokens = execute(client, apply)
    check("SDK applyToken (AUTHORIZATION_CODE): S with access and refresh tokens and expiry times",
          tokens["result"]["resultStatus"] == "S" and tokens.get("accessToken") and tokens.get("refreshToken")
          and tokens.get("accessTokenExpiryTime") and tokens.get("refreshTokenExpiryTime"), tokens["result"])
    again = execute(client, apply)
    check("SDK applyToken with the same code again: F (a code is single-use)", again["result"]["resultStatus"] == "F", again["result"])

    paid = execute(client, pay_request("SDK-" + uuid.uuid4().hex[:12], tokens.get("accessToken", ""), "1000"))
    check("SDK pay with the access token (AGREEMENT_PAYMENT): S", paid["result"]["resultStatus"] == "S", paid["result"])

    refresh = AlipayAuthApplyTokenRequest()
    refresh.grant_type = GrantType.REFRESH_TOKEN.value
    refresh.customer_belongs_to = CustomerBelongsTo.GCASH.value
    refresh.refresh_token = tokens.get("refreshToken", "")
    renewed = execute(client, refresh)
    check("SDK applyToken (REFRESH_TOKEN): S with a new access token",
          renewed["result"]["resultStatus"] == "S" and renewed.get("accessToken") not in (None, tokens.get("accessToken")), renewed["result"])
    stale = execute(client, pay_request("SDK-" + uuid.uuid4().hex[:12], tokens.get("accessToken", ""), "1000"))
    check("SDK pay with the replaced access token: F/INVALID_ACCESS_TOKEN", stale["result"]["resultCode"] == "INVALID_ACCESS_TOKEN", stale["result"])

    revoke = AlipayAuthRevokeTokenRequest()
    revoke.access_token = renewed.get("accessToken", "")
    revoked = execute(client, revoke)
    check("SDK revoke: S", revoked["result"]["resultStatus"] == "S", revoked["result"])
    after = execute(client, pay_request("SDK-" + uuid.uuid4().hex[:12], renewed.get("accessToken", ""), "1000"))
    check("SDK pay after revoke: F/INVALID_ACCESS_TOKEN", after["result"]["resultCode"] == "INVALID_ACCESS_TOKEN", after["result"])


def dana_authorization_checks(port, check):
    """dana-python's apply-token signature (over X-CLIENT-KEY|X-TIMESTAMP) on the B2B2C token
    request, then a direct debit with the customer token."""
    consent = ("http://127.0.0.1:%d/v1.0/get-auth-code?" % port) + urllib.parse.urlencode({
        "partnerId": DANA_PARTNER, "merchantId": DANA_MERCHANT, "redirectUrl": "https://merchant.example/bound", "state": "PYSTATE1",
        "scopes": "CASHIER", "externalId": uuid.uuid4().hex, "channelId": "95221", "timestamp": "2026-11-29T10:00:00+07:00"})
    back = redirect_query(sandbox_post(port, "/sandbox/dana/consent/approve", {"consentURL": consent, "customer": "dana-binds"}).get("redirect", ""))
    code = back.get("authCode") or back.get("auth_code") or ""
    check("dana consent approved: the redirect carries the code and the state", code and back.get("state") == "PYSTATE1", back)
    body = json.dumps({"grantType": "AUTHORIZATION_CODE", "authCode": code, "additionalInfo": {}}, separators=(",", ":"))
    _, _, reply = dana_post(port, "/v1.0/access-token/b2b2c.htm", body, scenario="apply_token")
    token = json.loads(reply)
    check("dana-python signed B2B2C token request: 2007400 with customer and refresh tokens",
          token.get("responseCode") == "2007400" and token.get("accessToken") and token.get("refreshToken"), token.get("responseCode"))
    _, _, reused = dana_post(port, "/v1.0/access-token/b2b2c.htm", body, scenario="apply_token")
    check("dana-python B2B2C token request with a used code: 4017400", json.loads(reused).get("responseCode") == "4017400", reused)
    reference = "PYDANA-" + uuid.uuid4().hex[:12]
    path = "/payment-gateway/v1.0/debit/payment-host-to-host.htm"
    debit = json.dumps({"partnerReferenceNo": reference, "merchantId": DANA_MERCHANT, "amount": {"value": "10000.00", "currency": "IDR"},
                        "validUpTo": "2030-01-01T00:00:00+07:00",
                        "payOptionDetails": [{"payMethod": "BALANCE", "payOption": "", "transAmount": {"value": "10000.00", "currency": "IDR"}}]},
                       separators=(",", ":"))
    _, _, paid = dana_post(port, path, debit, customer=token.get("accessToken", ""))
    check("dana-python signed direct debit with the customer token: 2005400", json.loads(paid).get("responseCode") == "2005400", paid)


def paytm_linking_checks(port, check):
    """Paytm-style Auto Debit: link by OTP (the sandbox's test OTP), then a withdraw whose
    CheckSum paytmchecksum generates over the form fields, and whose reply's CheckSum
    paytmchecksum verifies."""
    import base64
    basic = base64.b64encode(b"wbsandbox-paytm-autodebit:test-only-paytm-client-secret-0123").decode()

    def post(path, payload, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        merged = {"Content-Type": "application/json"}
        merged.update(headers or {})
        connection.request("POST", path, body=json.dumps(payload).encode(), headers=merged)
        response = connection.getresponse()
        result = response.status, json.loads(response.read() or b"{}")
        connection.close()
        return result

    client_headers = {"Authorization": "Basic " + basic, "x-device-identifier": "interop-device"}
    _, sent = post("/signin/otp", {"phone": "paytm-binds", "scopes": ["paytm", "wallet"]}, client_headers)
    _, linked = post("/signin/validate/otp", {"otp": "123456", "state_token": sent.get("state_token", "")}, client_headers)
    token = (linked.get("tokens") or {}).get("accessToken", "")
    check("Paytm OTP linking: an SSO token for the test OTP", bool(token), linked.get("responseCode"))
    fields = {"MID": PAYTM_MID, "ReqType": "WITHDRAW", "TxnAmount": "10.00", "AppIP": "127.0.0.1", "OrderId": "PYLINK-" + uuid.uuid4().hex[:10],
              "DeviceId": "interop-device", "Currency": "INR", "SSOToken": token, "PaymentMode": "PPI", "CustId": "interop",
              "IndustryType": "Retail", "Channel": "WEB", "AuthMode": "USRPWD"}
    fields["CheckSum"] = PaytmChecksum.generateSignature(dict(fields), PAYTM_KEY)
    _, reply = post("/paymentservices/HANDLER_FF/withdrawScw", fields)
    returned = reply.pop("CheckSum", "")
    check("paytmchecksum-signed withdraw with the SSO token: TXN_SUCCESS", reply.get("Status") == "TXN_SUCCESS", reply)
    check("paytmchecksum verifies the withdraw reply's CheckSum", PaytmChecksum.verifySignature(reply, PAYTM_KEY, returned), reply)
    forged = dict(fields, TxnAmount="1.00")
    _, refused = post("/paymentservices/HANDLER_FF/withdrawScw", forged)
    check("the sandbox refuses a withdraw whose fields differ from its CheckSum", refused.get("Status") != "TXN_SUCCESS", refused)


def paytm_checks(port, check):
    catcher = http.server.HTTPServer(("127.0.0.1", 0), CallbackCatcher)
    threading.Thread(target=catcher.serve_forever, daemon=True).start()
    callback_url = "http://127.0.0.1:%d/paytm/callback" % catcher.server_address[1]
    try:
        order = "PYPTM-" + uuid.uuid4().hex[:12]
        initiate = json.dumps({"requestType": "Payment", "mid": PAYTM_MID, "websiteName": "WEBSTAGING", "orderId": order,
                               "callbackUrl": callback_url, "txnAmount": {"value": "12.00", "currency": "INR"},
                               "userInfo": {"custId": "paytm-pays"}}, separators=(",", ":"))
        body, signature = paytm_post(port, "/theia/api/v1/initiateTransaction?mid=%s&orderId=%s" % (PAYTM_MID, order), initiate)
        check("paytmchecksum: initiate reply checksum verifies", PaytmChecksum.verifySignatureByString(body, PAYTM_KEY, signature), body)
        reply = json.loads(body)
        check("Paytm initiate: S/0000 with a txnToken", reply["resultInfo"]["resultCode"] == "0000" and len(reply.get("txnToken", "")) == 64, reply)

        body, signature = paytm_post(port, "/v3/order/status", json.dumps({"mid": PAYTM_MID, "orderId": order}))
        status = json.loads(body)
        check("paytmchecksum: status reply checksum verifies", PaytmChecksum.verifySignatureByString(body, PAYTM_KEY, signature), body)
        check("Paytm status: TXN_SUCCESS 12.00", (status["resultInfo"]["resultStatus"], status.get("txnAmount")) == ("TXN_SUCCESS", "12.00"), status)

        for _ in range(100):
            if CallbackCatcher.received:
                break
            time.sleep(0.05)
        fields = {key: values[0] for key, values in (CallbackCatcher.received[0] if CallbackCatcher.received else {}).items()}
        checksum = fields.pop("CHECKSUMHASH", "")
        check("paytmchecksum: the sandbox's form callback verifies (map form)",
              bool(fields) and PaytmChecksum.verifySignature(dict(fields), PAYTM_KEY, checksum), fields)
        fields["TXNAMOUNT"] = "1200.00"
        check("paytmchecksum: a tampered callback does not verify", not PaytmChecksum.verifySignature(dict(fields), PAYTM_KEY, checksum))

        refund = json.dumps({"mid": PAYTM_MID, "txnType": "REFUND", "orderId": order, "txnId": status.get("txnId", ""),
                             "refId": order + "-R1", "refundAmount": "2.00"})
        body, signature = paytm_post(port, "/refund/apply", refund)
        check("Paytm refund: PENDING 601, checksum verifies",
              PaytmChecksum.verifySignatureByString(body, PAYTM_KEY, signature) and json.loads(body)["resultInfo"]["resultCode"] == "601", body)

        wrong = PaytmChecksum.generateSignatureByString('{"mid":"x"}', PAYTM_KEY)
        envelope = '{"head":{"signature":"%s"},"body":{"mid":"%s","orderId":"%s"}}' % (wrong, PAYTM_MID, order)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/v3/order/status", body=envelope.encode(), headers={"Content-Type": "application/json"})
        raw = connection.getresponse().read().decode()
        check("sandbox rejects a checksum over other text: 330", '"resultCode":"330"' in raw, raw)
    finally:
        catcher.shutdown()


def dana_checks(port, check):
    catcher = http.server.HTTPServer(("127.0.0.1", 0), CallbackCatcher)
    threading.Thread(target=catcher.serve_forever, daemon=True).start()
    notify_url = "http://127.0.0.1:%d/dana/notify" % catcher.server_address[1]
    wallet = WebhookParser(public_key=pem("test-only-partner-rsa2048-public-spki.pem"))
    try:
        reference = "PYDANA-" + uuid.uuid4().hex[:12]
        path = "/payment-gateway/v1.0/debit/payment-host-to-host.htm"
        body = json.dumps({"partnerReferenceNo": reference, "merchantId": DANA_MERCHANT, "amount": {"value": "10000.00", "currency": "IDR"},
                           "validUpTo": "2030-01-01T00:00:00+07:00",
                           "payOptionDetails": [{"payMethod": "BALANCE", "payOption": "", "transAmount": {"value": "10000.00", "currency": "IDR"}}],
                           "urlParams": [{"url": notify_url, "type": "NOTIFICATION", "isDeeplink": "N"}]}, separators=(",", ":"))
        status, headers, reply = dana_post(port, path, body, customer="dana-pays")
        check("dana-python signed direct debit: 2005400", json.loads(reply).get("responseCode") == "2005400", reply)
        try:
            wallet._verify_signature("POST", path, reply, headers.get("X-TIMESTAMP", ""), headers.get("X-SIGNATURE", ""))
            check("dana-python's verifier accepts the sandbox's response signature", True)
        except ValueError as error:
            check("dana-python's verifier accepts the sandbox's response signature", False, error)

        status_path = "/payment-gateway/v1.0/debit/status.htm"
        query = json.dumps({"originalPartnerReferenceNo": reference, "serviceCode": "54", "merchantId": DANA_MERCHANT}, separators=(",", ":"))
        _, _, reply = dana_post(port, status_path, query)
        answer = json.loads(reply)
        check("dana-python signed query: 2005500, status 00", (answer.get("responseCode"), answer.get("latestTransactionStatus")) == ("2005500", "00"), reply)

        for _ in range(100):
            if CallbackCatcher.raw:
                break
            time.sleep(0.05)
        if CallbackCatcher.raw:
            notify_path, notify_headers, notify_body = CallbackCatcher.raw[0]
            try:
                parsed = wallet.parse_webhook("POST", notify_path, notify_headers, notify_body)
                check("dana-python WebhookParser verifies the sandbox's finish notify",
                      parsed.original_partner_reference_no == reference and parsed.latest_transaction_status == "00", parsed)
            except ValueError as error:
                check("dana-python WebhookParser verifies the sandbox's finish notify", False, error)
            try:
                wallet.parse_webhook("POST", notify_path, notify_headers, notify_body.replace("10000.00", "99999.00"))
                check("dana-python WebhookParser rejects a tampered notify", False, "accepted")
            except ValueError:
                check("dana-python WebhookParser rejects a tampered notify", True)
        else:
            check("dana-python WebhookParser verifies the sandbox's finish notify", False, "no notify arrived")

        token_body = '{"grantType":"client_credentials"}'
        _, _, reply = dana_post(port, "/v1.0/access-token/b2b.htm", token_body, scenario="apply_token")
        token = json.loads(reply)
        check("dana-python signed B2B token request: 2007300 with a token", token.get("responseCode") == "2007300" and len(token.get("accessToken", "")) == 40, reply)

        forged = body.replace("10000.00", "10.00")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        auth = SnapHeader.get_snap_generated_auth("POST", path, body, private_key=pem("test-only-merchant-rsa2048-private-pkcs8.pem"))
        headers = {"Content-Type": "application/json", "X-PARTNER-ID": DANA_PARTNER}
        headers.update({setting["key"]: str(setting["value"]) for setting in auth.values()})
        connection.request("POST", path, body=forged.encode(), headers=headers)
        reply = connection.getresponse().read().decode()
        check("sandbox rejects a body that differs from the signed one: 4015400", '"responseCode":"4015400"' in reply, reply)
    finally:
        catcher.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    args = parser.parse_args()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sandbox = subprocess.Popen([args.cli, "sandbox", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    checks = 0

    def check(name, condition, detail=""):
        nonlocal checks
        checks += 1
        print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + str(detail)))
        if not condition:
            failures.append(name)

    def execute(client, request):
        """The SDK's execute; an exception it raises (an unverifiable response...) becomes a failed check."""
        try:
            return json.loads(client.execute(request))
        except AlipayApiException as error:
            return {"result": {"resultStatus": "?", "resultCode": "SDK raised: " + str(error)}}

    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/sandbox/health" % port, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        sdk_client.do_post = loopback_do_post(port)
        client = DefaultAlipayClient("https://sandbox.invalid", CLIENT_ID,
                                     bare_key("test-only-merchant-rsa2048-private-pkcs8.pem"),
                                     bare_key("test-only-partner-rsa2048-public-spki.pem"))

        reference = "SDK-" + uuid.uuid4().hex[:12]
        body = execute(client, pay_request(reference, "gcash-pays", "1000"))
        check("SDK pay: response signature verified by the SDK, result S", body["result"]["resultStatus"] == "S", body)
        check("SDK pay: amount echoed", body.get("paymentAmount") == {"currency": "PHP", "value": "1000"}, body)
        payment_id = body.get("paymentId")

        replay = execute(client, pay_request(reference, "gcash-pays", "1000"))
        check("SDK pay replay: same paymentId", replay.get("paymentId") == payment_id, replay)
        inconsistent = execute(client, pay_request(reference, "gcash-pays", "2000"))
        check("SDK pay, other content: REPEAT_REQ_INCONSISTENT", inconsistent["result"]["resultCode"] == "REPEAT_REQ_INCONSISTENT", inconsistent)

        poor = execute(client, pay_request("SDK-" + uuid.uuid4().hex[:12], "gcash-low-balance", "1000"))
        check("SDK pay, low balance: F/USER_BALANCE_NOT_ENOUGH", (poor["result"]["resultStatus"], poor["result"]["resultCode"]) == ("F", "USER_BALANCE_NOT_ENOUGH"), poor)

        yen = execute(client, pay_request("SDK-" + uuid.uuid4().hex[:12], "gcash-pays", "1000", "JPY"))
        check("SDK pay in JPY: quoted to PHP 385.00", yen.get("customerPayAmount") == {"currency": "PHP", "value": "38500"}, yen)

        query = AlipayPayQueryRequest()
        query.payment_request_id = reference
        inquiry = execute(client, query)
        check("SDK inquiryPayment: SUCCESS", inquiry.get("paymentStatus") == "SUCCESS", inquiry)

        refund = AlipayRefundRequest()
        refund.refund_request_id = reference + "-R1"
        refund.payment_id = payment_id
        refund.refund_amount = Amount("PHP", "400")
        refunded = execute(client, refund)
        check("SDK refund: S", refunded["result"]["resultStatus"] == "S", refunded)

        urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/sandbox/faults" % port, method="POST",
                                                      data=b'{"fault":"tamper-response-signature","count":1}'))
        try:
            client.execute(pay_request("SDK-" + uuid.uuid4().hex[:12], "gcash-pays", "1000"))
            check("SDK rejects a tampered response signature", False, "accepted")
        except AlipayApiException as error:
            check("SDK rejects a tampered response signature", "verify" in str(error), error)

        wrong = DefaultAlipayClient("https://sandbox.invalid", CLIENT_ID,
                                    bare_key("test-only-partner-rsa2048-private-pkcs8.pem"),
                                    bare_key("test-only-partner-rsa2048-public-spki.pem"))
        rejected = execute(wrong, pay_request("SDK-" + uuid.uuid4().hex[:12], "gcash-pays", "1000"))
        check("sandbox rejects a request signed with another key: F/INVALID_SIGNATURE (signed reply)",
              rejected["result"]["resultCode"] == "INVALID_SIGNATURE", rejected)

        gcash_authorization_checks(client, execute, port, check)
        paytm_checks(port, check)
        paytm_linking_checks(port, check)
        dana_checks(port, check)
        dana_authorization_checks(port, check)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)

    print("sandbox interop: %d checks, %d failures" % (checks, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
