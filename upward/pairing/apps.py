from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "upward.pairing"
    label = "pairing"
