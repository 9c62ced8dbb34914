def test_settings_load(settings):
    assert settings.LANGUAGE_CODE == "fr"
