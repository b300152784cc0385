"""The common-password rule: a pure function of the password and the list it is given."""

import pytest

from server.domain.errors import CommonPassword
from server.domain.passwords import COMMON_PASSWORD, is_common, refuse_common

COMMON = frozenset({"password1", "123456789", "iloveyou"})


@pytest.mark.parametrize("password", ["password1", "PASSWORD1", "PassWord1", "123456789"])
def test_a_listed_password_is_common_whatever_its_case(password):
    assert is_common(password, COMMON)


@pytest.mark.parametrize("password", ["correct horse battery", "password12", " password1"])
def test_a_password_not_on_the_list_is_not_common(password):
    assert not is_common(password, COMMON)


def test_a_common_password_is_refused_on_the_forms_field():
    with pytest.raises(CommonPassword) as refused:
        refuse_common("IloveYou", COMMON, field="new_password")
    assert refused.value.fields == {"new_password": [COMMON_PASSWORD]}
    refuse_common("correct horse battery", COMMON)  # no error
