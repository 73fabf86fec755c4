"""Stage 5: owners from annotations and headings."""

from gazette.names import split_names
from gazette.owners import find_annotations, heading_owners, parse_annotation
from gazette.prose_owners import sentence_owners


def test_unit_lists_never_split_inside_parentheses():
    assert split_names("市交通局、各县（市、区）人民政府，开发区管委会") == [
        "市交通局",
        "各县（市、区）人民政府",
        "开发区管委会",
    ]
    assert split_names("各县(市、区)人民政府") == ["各县(市、区)人民政府"]


def test_responsible_units_the_one_before_the_first_comma_leads():
    owners = parse_annotation("责任单位：市交通局，泽州县、阳城县人民政府")
    assert owners.lead_units == ["市交通局"]
    assert owners.co_units == ["泽州县", "阳城县人民政府"]


def test_lead_co_and_responsible_are_kept_apart():
    owners = parse_annotation(
        "牵头部门:市能源局、市住建局;配合部门:市财政局;责任单位:各县（市、区）人民政府"
    )
    assert owners.lead_units == ["市能源局", "市住建局"]
    assert owners.co_units == ["市财政局"]
    assert owners.responsible_units == ["各县（市、区）人民政府"]


def test_leaders_offices_and_persons():
    owners = parse_annotation("分管领导:孙四、李五;责任科室:能源股、城建科;责任人:周六、吴七")
    assert owners.responsible_leaders == ["孙四", "李五"]
    assert owners.responsible_offices == ["能源股", "城建科"]
    assert owners.responsible_persons == ["周六", "吴七"]


def test_verb_annotations():
    owners = parse_annotation("市审批服务管理局牵头，市委编办、市司法局配合，市直各部门分别负责")
    assert owners.lead_units == ["市审批服务管理局"]
    assert owners.co_units == ["市委编办", "市司法局"]
    assert owners.responsible_units == ["市直各部门"]
    assert parse_annotation("甲局、乙局按职责分工负责").responsible_units == ["甲局", "乙局"]


def test_a_tag_is_not_an_owner():
    assert parse_annotation("民生实事项目").tags == ["民生实事项目"]


def test_brackets_inside_a_unit_name_are_not_annotations():
    owners, _ = find_annotations("区发展和改革局(区能源局)牵头，建设4个村(社区)工程。")
    assert owners.is_empty()


def test_a_verb_annotation_closing_a_sentence():
    owners, spans = find_annotations("严格安全准入(市工信局、市应急局等部门督促落实)。")
    # 等部门 stays with its name: the office sees the group as the document wrote it
    assert owners.responsible_units == ["市工信局", "市应急局等部门"]
    assert len(spans) == 1


def test_headings_hand_down_a_leader_or_a_lead_unit():
    assert heading_owners("区委常委、常务副区长赵二负责的工作").responsible_leaders == ["赵二"]
    assert heading_owners("副区长、区公安分局局长孙三负责的工作").responsible_leaders == ["孙三"]
    owners = heading_owners("区发展和改革局(区能源局)牵头的工作 (责任领导:钱三)")
    assert owners.lead_units == ["区发展和改革局(区能源局)"]
    assert owners.responsible_leaders == ["钱三"]
    assert heading_owners("相关镇(街道)负责实施的工作").lead_units == ["相关镇(街道)"]


def test_angle_brackets_also_protect_a_unit_name():
    assert split_names("市安委办、各县〈市、区〉人民政府") == ["市安委办", "各县〈市、区〉人民政府"]


def test_a_sentence_subject_names_the_responsible_units():
    owners = sentence_owners(
        "强化责任。各县（市、区）人民政府和市直有关部门要制定方案，主要领导要带头。"
    )
    assert owners.responsible_units == ["各县（市、区）人民政府", "市直有关部门"]
    assert sentence_owners("负有监管职责的部门要制定清单。").responsible_units == [
        "负有监管职责的部门"
    ]


def test_a_unit_whose_name_contains_and_is_not_split():
    assert sentence_owners("市规划和自然资源局要加强监管。").responsible_units == [
        "市规划和自然资源局"
    ]


def test_hui_tong_makes_the_subject_lead_and_the_partner_co():
    owners = sentence_owners("市甲局要加强统筹，会同市乙委、市丙局做好保障工作。")
    assert (owners.lead_units, owners.co_units, owners.responsible_units) == (
        ["市甲局"],
        ["市乙委", "市丙局"],
        [],
    )


def test_lead_and_co_operating_units_in_running_text():
    owners = sentence_owners("市甲局牵头，市乙局、市丙支队配合，开展专项整治。")
    assert owners.lead_units == ["市甲局"]
    assert owners.co_units == ["市乙局", "市丙支队"]
    assert sentence_owners("所需经费由市财政局负责保障。").responsible_units == ["市财政局"]
    assert sentence_owners("普查工作由市甲局牵头。").lead_units == ["市甲局"]
    assert sentence_owners("由市财政局负责经费保障。").responsible_units == ["市财政局"]


def test_the_head_of_a_unit_names_the_unit_and_objects_are_no_owners():
    assert sentence_owners("各集团公司董事长每季度检查一次。").responsible_units == ["各集团公司"]
    assert sentence_owners("市、县（市、区）人民政府每月召开一次会议。").responsible_units == [
        "市、县（市、区）人民政府"
    ]
    assert sentence_owners("及时向市应急局报告。企业要建立制度。主要领导要带头。").is_empty()


def test_a_subject_before_a_comma_and_a_subject_before_its_verb():
    owners = sentence_owners(
        "加强报送。各县（市、区）、某某开发区和市直相关部门，要认真做好报送工作。"
    )
    assert owners.responsible_units == ["各县（市、区）", "某某开发区", "市直相关部门"]
    assert sentence_owners("各县（市、区）、各相关部门加强组织领导。").responsible_units == [
        "各县（市、区）",
        "各相关部门",
    ]
    assert sentence_owners("各学校要成立招生工作领导组。").responsible_units == ["各学校"]


def test_words_that_only_look_like_a_subject_are_not_owners():
    owners = sentence_owners("区政府组织相关部门联合开展检查。")
    assert (owners.lead_units, owners.responsible_units) == ([], ["区政府"])
    assert (
        sentence_owners("适时调整完善制度，促进规范运行市有关部门要及时修订。").responsible_units
        == []
    )
    assert sentence_owners("各镇（街道）、各部门及要在2月10日前上报方案。").responsible_units == [
        "各镇（街道）",
        "各部门",
    ]


def test_a_note_about_the_following_items_is_not_a_name():
    owners = parse_annotation(
        "市甲办、各县〈市、区〉人民政府负责。以下均需各县〈市、区〉人民政府负责，不再一一列出"
    )
    assert owners.responsible_units == ["市甲办", "各县〈市、区〉人民政府"]


def test_a_units_other_name_in_brackets_is_no_annotation():
    owners, spans = find_annotations("后勤保障组牵头单位:市发展和改革委员会(市粮食和物资储备局)")
    assert owners.is_empty() and spans == []
    owners, _ = find_annotations("完成年度储备任务。(市发展和改革委员会、市粮食和物资储备局)")
    assert owners.responsible_units == ["市发展和改革委员会", "市粮食和物资储备局"]


def test_a_unit_opening_a_clause_acts_in_it_and_leads_what_it_does_with_others():
    owners = sentence_owners("每年三月底前，市甲局根据实际需要，会同市乙委等部门制定年度计划。")
    assert (owners.lead_units, owners.co_units) == (["市甲局"], ["市乙委"])
    assert sentence_owners("涉及宣传的事项，由市委宣传部、市丙局负责。").responsible_units == [
        "市委宣传部",
        "市丙局",
    ]
    assert sentence_owners("市甲局的数据显示，全年增长5%。").is_empty()
    assert sentence_owners("某市城区第四次全国普查所需经费列入年度预算。").is_empty()
    assert sentence_owners(
        "规划须市规委会研究后，提交市人民政府审定，报市人民政府批准。"
    ).is_empty()
    assert sentence_owners("依托市人民医院、市中心医院建设救援基地。").is_empty()
    assert sentence_owners("市级和县执行义务教育学校公用经费标准。").is_empty()
