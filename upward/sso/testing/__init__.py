"""Counterparts for tests of single sign-on: a real SAML identity provider (saml_idp)."""
