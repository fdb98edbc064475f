"""Header matching: lenient about spelling, strict about what is required."""

from baodao.roster import columns as col


def test_it_folds_full_width_characters_spaces_asterisks_and_notes():
    assert col.normalise_header(" ＊姓\u3000名 ") == "姓名"
    assert col.normalise_header("身份证号（选填）") == "身份证号"
    assert col.normalise_header("手机号[必填]") == "手机号"
    assert col.normalise_header(None) == ""


def test_it_recognises_the_template_and_the_usual_synonyms():
    header = [
        "序号",
        "党员姓名",
        "联系电话",
        "公民身份号码",
        "党支部",
        "居住社区名称",
        "所在网格",
        "家庭住址",
        "兴趣特长",
        "说明",
    ]
    assert col.header_columns(header) == {
        col.NAME: 1,
        col.PHONE: 2,
        col.ID_NUMBER: 3,
        col.BRANCH: 4,
        col.COMMUNITY: 5,
        col.GRID: 6,
        col.ADDRESS: 7,
        col.SKILLS: 8,
        col.REMARK: 9,
    }


def test_the_templates_own_name_wins_over_a_synonym():
    assert col.header_columns(["联系电话", "姓名", "手机号"])[col.PHONE] == 2
    assert col.header_columns(["联系电话", "姓名", "手机号码"])[col.PHONE] == 2  # listed before 联系电话
    assert col.header_columns(["手机", "手机"])[col.PHONE] == 0  # the leftmost of equals


def test_the_message_names_what_is_missing_and_what_is_expected():
    message = col.missing_columns_message({col.NAME: 0})
    assert message.startswith("缺少必填列：手机号。")
    assert "姓名、手机号、身份证号、所在支部、居住社区、网格、住址、特长、备注" in message
